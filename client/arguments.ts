/** Parsers of command-line values, shared by the operator CLI and the main job (commander calls them). */
import { InvalidArgumentError } from 'commander';

/** A parser of whole numbers of at least `min`. */
export function wholeNumber(min: number): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`a whole number ≥ ${min}`);
    return parsed;
  };
}
