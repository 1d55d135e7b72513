/** Genesys-style listings and the checks every directory route shares. */
import { z } from 'zod';
import { parseBody, SimulatorHttpError } from '../errors';
import type { NamedEntity } from '../state';

const pagingSchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(500).default(25),
  pageNumber: z.coerce.number().int().min(1).default(1),
});

/** One page of `items`, as `pageSize`/`pageNumber` in `query` ask (Genesys defaults: 25, page 1). */
export function page<Item>(items: Item[], query: unknown, maxPageSize = 500) {
  const { pageSize, pageNumber } = parseBody(pagingSchema, query);
  if (pageSize > maxPageSize) {
    throw new SimulatorHttpError(400, `pageSize is at most ${maxPageSize}`, 'invalid.value', [
      { fieldName: 'pageSize', errorCode: 'invalid.value' },
    ]);
  }
  const start = (pageNumber - 1) * pageSize;
  return {
    entities: items.slice(start, start + pageSize),
    pageSize,
    pageNumber,
    total: items.length,
    pageCount: Math.ceil(items.length / pageSize),
  };
}

/** The entity, or 404 naming what was not found. */
export function found<Entity>(entity: Entity | undefined, what: string, id: string): Entity {
  if (entity === undefined) throw new SimulatorHttpError(404, `${what} ${id} not found`);
  return entity;
}

/** 409 when another entity (not `selfId`) has the name (case-insensitive, as Genesys compares names). */
export function requireUnique(
  entities: Iterable<NamedEntity>,
  name: string,
  what: string,
  selfId?: string,
): void {
  for (const entity of entities) {
    if (entity.id !== selfId && entity.name.toLowerCase() === name.toLowerCase()) {
      throw new SimulatorHttpError(409, `A ${what} named ${name} already exists (${entity.id})`);
    }
  }
}

/** 400 naming the ids that do not exist. */
export function requireKnown(ids: string[], known: ReadonlyMap<string, unknown>, what: string): void {
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new SimulatorHttpError(400, `Unknown ${what}: ${unknown.join(', ')}`, 'invalid.value', [
      { fieldName: 'id', errorCode: 'invalid.value', entityId: unknown[0] },
    ]);
  }
}

/** A body of `[{id}]`, at most `max` long. */
export const idList = (max: number) => z.array(z.looseObject({ id: z.string().min(1) })).max(max);
