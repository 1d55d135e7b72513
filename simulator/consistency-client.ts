/**
 * The simulator's consistency report (`GET /__simulator/consistency`): what Genesys would show that no
 * real contact centre does — an agent leg live while its agent is not On Queue and Interacting, a routing
 * status other than OffQueue while the presence is not On Queue — for longer than its grace. The main job
 * prints it and the benchmark records it; a realistic load leaves it at 0.
 */
import axios from 'axios';
import { z } from 'zod';

const consistencyReportSchema = z.object({
  graceMs: z.number(),
  total: z.number().int().nonnegative(),
  byRule: z.record(z.string(), z.number()),
  findings: z.array(
    z.object({
      rule: z.string(),
      at: z.string(),
      userId: z.string().optional(),
      conversationId: z.string().optional(),
      communicationId: z.string().optional(),
      message: z.string(),
    }),
  ),
});

/** What the simulator found inconsistent. */
export type ConsistencyReport = z.infer<typeof consistencyReportSchema>;

/** The consistency report of the simulator at `url` for what happened since `sinceMs` (all of it without). */
export async function simulatorConsistency(url: string, sinceMs?: number): Promise<ConsistencyReport> {
  const response = await axios.get<unknown>(`${url}/__simulator/consistency`, {
    params: sinceMs === undefined ? {} : { since: sinceMs },
  });
  return consistencyReportSchema.parse(response.data);
}

/** The report in a few lines: the total and its rules, then the first `shown` findings. */
export function formatConsistency(report: ConsistencyReport, shown = 5): string[] {
  const rules = Object.entries(report.byRule)
    .filter(([, count]) => count > 0)
    .map(([rule, count]) => `${rule} ${count}`);
  return [
    `consistency: ${report.total} finding${report.total === 1 ? '' : 's'} (grace ${report.graceMs} ms)${rules.length > 0 ? `: ${rules.join(', ')}` : ''}`,
    ...report.findings.slice(0, shown).map((finding) => {
      const ids = [
        finding.userId && `user ${finding.userId}`,
        finding.conversationId && `conversation ${finding.conversationId}`,
      ]
        .filter(Boolean)
        .join(', ');
      return `  ${finding.at} ${finding.rule}${ids ? ` (${ids})` : ''}: ${finding.message}`;
    }),
  ];
}
