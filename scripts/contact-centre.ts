/**
 * A generated contact centre's directory: agents spread over queues, each with two skills, queues with
 * wrap-up codes, and a presence mapping of the usual ACD states. The demo, the tests and the load
 * generator use it as the external platform's directory snapshot.
 */
import type { DirectorySnapshotInput } from '../activities/directory/snapshot';

/** The size of the generated contact centre. */
export interface ContactCentreSize {
  agents: number;
  queues?: number;
  skills?: number;
  wrapupCodes?: number;
  source?: string;
}

/** The directory snapshot of a generated contact centre (ids `agent-N`, `queue-N`, `skill-N`, `code-N`). */
export function contactCentreDirectory(size: ContactCentreSize): DirectorySnapshotInput & {
  users: { externalId: string; name: string; email: string; queues: string[] }[];
} {
  const { agents, queues = 5, skills = 4, wrapupCodes = 4, source = 'acd' } = size;
  return {
    source,
    users: Array.from({ length: agents }, (_, index) => ({
      externalId: `agent-${index + 1}`,
      name: `Agent ${index + 1}`,
      email: `agent-${index + 1}@contact-centre.example`,
      queues: [`queue-${(index % queues) + 1}`, `queue-${((index + 7) % queues) + 1}`],
      skills: [
        { skill: `skill-${(index % skills) + 1}`, proficiency: (index % 5) + 1 },
        { skill: `skill-${((index + 3) % skills) + 1}`, proficiency: 2 },
      ],
    })),
    queues: Array.from({ length: queues }, (_, index) => ({
      externalId: `queue-${index + 1}`,
      name: `Queue ${index + 1}`,
      wrapupCodes: [`code-${(index % wrapupCodes) + 1}`, `code-${((index + 1) % wrapupCodes) + 1}`],
    })),
    skills: Array.from({ length: skills }, (_, index) => ({
      externalId: `skill-${index + 1}`,
      name: `Skill ${index + 1}`,
    })),
    wrapupCodes: Array.from({ length: wrapupCodes }, (_, index) => ({
      externalId: `code-${index + 1}`,
      name: `Code ${index + 1}`,
    })),
    presenceMapping: [
      { externalState: 'Available', systemPresence: 'Available' },
      { externalState: 'Break', systemPresence: 'Break' },
      { externalState: 'Lunch', systemPresence: 'Meal' },
      { externalState: 'Training', systemPresence: 'Training' },
      { externalState: 'Offline', systemPresence: 'Offline' },
    ],
  };
}
