/**
 * The recording confirmer: upload activities of many workflows in one worker process hand it the file
 * they have just PUT and wait; in rounds, it asks Genesys for one upload-status report covering every
 * file waiting and settles each from it. A round costs the same two or three API requests whether one
 * file waits or a hundred, so confirming "playable" never spends the request budget per recording under
 * load. Rounds are paced like a token bucket: a few may follow each other a second apart, then one per
 * interval, so sparse recordings are each confirmed in about a second and a steady stream costs a flat
 * few requests a minute. A retried upload that does not know whether its earlier attempt's PUT landed
 * asks the same rounds first ({@link RecordingConfirmer.lookup}), so that check costs no request of its own
 * either.
 */
import type { GenesysClient } from './client';
import type { RecordingUploadReportEntry } from '../../domain/genesys/upload-report';
import { asError, GenesysApiError } from './errors';
import {
  createRecordingUploadReport,
  getRecordingUploadReport,
  readRecordingUploadReport,
} from './recordings';

/** How a wait for one file ended. */
export type RecordingConfirmation =
  | { state: 'playable'; recordingId: string | undefined }
  /** Genesys took the file but refused it (not audio of its type, say); a retry of the same bytes will not help. */
  | { state: 'refused'; reason: string }
  /** Not shown as uploaded within the wait; `lastError` is why the last round failed, if it did. */
  | { state: 'timedOut'; lastError: string | undefined };

/** Settings of a {@link RecordingConfirmer}. */
export interface RecordingConfirmerOptions {
  /**
   * Average time between the starts of two rounds while files keep waiting (default 5 s): under steady
   * load the files of five seconds share one report, so the confirmer's requests per minute stay flat.
   */
  roundIntervalMs?: number;
  /** Rounds that may start a second apart before the interval applies (default 3). */
  roundBurst?: number;
  /** How long one file may wait before it comes back `timedOut` (default 60 s). */
  timeoutMs?: number;
  /**
   * How far before a file's upload its report starts (default 60 s): `dateSince` is compared with
   * Genesys's clock, so a worker clock running ahead must not leave a file out of its own report.
   */
  clockSkewMs?: number;
  /** First wait before reading a report still in progress (default 250 ms); it doubles up to 2 s. */
  reportPollMs?: number;
  /** A report still in progress after this long is dropped for a fresh one (default 30 s). */
  reportGiveUpMs?: number;
}

/** The old per-recording poll's period: no two rounds start closer than this. */
const minRoundGapMs = 1_000;

/** What a caller hands over with its file. */
export interface RecordingToConfirm {
  /** `<conversationId>/<communicationId>.<ext>`, as the upload URL was asked for. */
  fileName: string;
  /** When its upload started (ms), or the earliest upload a look-up wants: reports reach back that far. */
  since: number;
  signal?: AbortSignal;
}

interface Waiter {
  fileName: string;
  /**
   * How far back the next report must reach. **[assumption]** `dateSince` selects uploads by their last
   * change (as the simulator does): once a report asked for at T came back without the file settled,
   * its settling is a change after T. Kept per attempt only: a retried activity reaches back to the
   * upload again, so a Genesys that filters by creation date costs a retry, not the recording.
   */
  since: number;
  /**
   * Takes the file's best entry in a round's report, if listed; `covered` says the report reached back to
   * `since` (the waiter was in the round's group), so that the file not being listed means something.
   */
  answer: (entry: RecordingUploadReportEntry | undefined, covered: boolean) => void;
  fail: (error: Error) => void;
}

/** Counters, for tests and logs. */
export interface RecordingConfirmerStats {
  rounds: number;
  reportRequests: number;
  confirmed: number;
  refused: number;
  timedOut: number;
  failedRounds: number;
  /** Look-ups answered: retried uploads that asked whether an earlier attempt's upload had landed. */
  lookups: number;
}

/** Confirms uploaded recordings in groups, one upload-status report per round. */
export class RecordingConfirmer {
  private readonly waiting = new Set<Waiter>();
  private readonly roundIntervalMs: number;
  private readonly roundBurst: number;
  private readonly timeoutMs: number;
  private readonly clockSkewMs: number;
  private readonly reportPollMs: number;
  private readonly reportGiveUpMs: number;
  private roundRunning = false;
  private lastRoundAt = Number.NEGATIVE_INFINITY;
  /** Rounds that may start now: one more every interval, at most `roundBurst`. */
  private roundTokens: number;
  private refilledAt = Date.now();
  private nextRound: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  readonly stats: RecordingConfirmerStats = {
    rounds: 0,
    reportRequests: 0,
    confirmed: 0,
    refused: 0,
    timedOut: 0,
    failedRounds: 0,
    lookups: 0,
  };

  constructor(
    private readonly client: GenesysClient,
    options: RecordingConfirmerOptions = {},
  ) {
    this.roundIntervalMs = options.roundIntervalMs ?? 5_000;
    this.roundBurst = options.roundBurst ?? 3;
    this.roundTokens = this.roundBurst;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.clockSkewMs = options.clockSkewMs ?? 60_000;
    this.reportPollMs = options.reportPollMs ?? 250;
    this.reportGiveUpMs = options.reportGiveUpMs ?? 30_000;
  }

  /**
   * Waits until a report shows the file uploaded (`Success`) or refused (`Failure`), or the wait times
   * out. Rejects only when `signal` aborts or Genesys refuses the report itself for good (a missing
   * permission).
   */
  confirm(file: RecordingToConfirm): Promise<RecordingConfirmation> {
    return this.wait<RecordingConfirmation>(
      file,
      (entry, _covered, settle) => {
        // Every file waiting is checked, also one that joined during the round: being listed is proof.
        const confirmation = entry && confirmationOf(entry);
        if (confirmation?.state === 'playable') this.stats.confirmed++;
        if (confirmation?.state === 'refused') this.stats.refused++;
        if (confirmation) settle(confirmation);
      },
      (settle) => {
        this.stats.timedOut++;
        settle({ state: 'timedOut', lastError: this.lastError });
      },
    );
  }

  /**
   * Answers the file's best upload listed in the next report that reaches back to `since` (`Success` over
   * `Failure` over `WaitForConversation` over `Pending`), or undefined when none is listed. It joins the
   * files waiting, so it costs no request of its own. A failed round keeps it for the next; it rejects when
   * `signal` aborts, Genesys refuses the report for good, or no report came back within the wait.
   */
  lookup(file: RecordingToConfirm): Promise<RecordingUploadReportEntry | undefined> {
    return this.wait<RecordingUploadReportEntry | undefined>(
      file,
      (entry, covered, settle) => {
        // A report asked for before the look-up joined may not reach back far enough to prove an absence.
        if (!covered) return;
        this.stats.lookups++;
        settle(entry);
      },
      (_settle, fail) =>
        fail(
          new Error(
            `no upload report came back within ${this.timeoutMs} ms to tell whether ${file.fileName} was uploaded already${
              this.lastError ? ` (the last one failed: ${this.lastError})` : ''
            }`,
          ),
        ),
    );
  }

  /** Adds a waiter for `file`: `answer` settles it from the rounds' reports, `timedOut` at the deadline. */
  private wait<T>(
    { fileName, since, signal }: RecordingToConfirm,
    answer: (
      entry: RecordingUploadReportEntry | undefined,
      covered: boolean,
      settle: (value: T) => void,
    ) => void,
    timedOut: (settle: (value: T) => void, fail: (error: Error) => void) => void,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(deadline);
        signal?.removeEventListener('abort', abort);
        this.waiting.delete(waiter);
      };
      const settle = (value: T) => {
        finish();
        resolve(value);
      };
      const fail = (error: Error) => {
        finish();
        reject(error);
      };
      const waiter: Waiter = {
        fileName,
        since,
        answer: (entry, covered) => answer(entry, covered, settle),
        fail,
      };
      const abort = () => fail(asError(signal?.reason));
      const deadline = setTimeout(() => timedOut(settle, fail), this.timeoutMs);
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      this.waiting.add(waiter);
      this.schedule();
    });
  }

  /** Files waiting now. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  private schedule(): void {
    if (this.roundRunning || this.nextRound !== undefined || this.waiting.size === 0) return;
    const now = this.refill();
    const tokenIn = this.roundTokens >= 1 ? 0 : (1 - this.roundTokens) * this.roundIntervalMs;
    const delay = Math.max(0, this.lastRoundAt + minRoundGapMs - now, tokenIn);
    this.nextRound = setTimeout(() => {
      this.nextRound = undefined;
      void this.round();
    }, delay);
  }

  private async round(): Promise<void> {
    if (this.waiting.size === 0) return;
    this.roundRunning = true;
    this.lastRoundAt = this.refill();
    this.roundTokens -= 1;
    this.stats.rounds++;
    const group = new Set(this.waiting);
    const earliest = Math.min(...[...group].map((waiter) => waiter.since));
    try {
      const { askedAt, entries } = await this.report(new Date(earliest - this.clockSkewMs).toISOString());
      this.lastError = undefined;
      const byFile = new Map<string, RecordingUploadReportEntry>();
      for (const entry of entries) {
        // A file asked for twice (a retry after a failed PUT or a dead worker) is settled by its best upload.
        const known = byFile.get(entry.fileName);
        if (!known || ranks[entry.status] > ranks[known.status]) byFile.set(entry.fileName, entry);
      }
      for (const waiter of [...this.waiting]) waiter.answer(byFile.get(waiter.fileName), group.has(waiter));
      // Files of this round still on their way: later reports need only reach back to this one, so a
      // file that waits long does not widen every report of the worker.
      for (const waiter of group)
        if (this.waiting.has(waiter)) waiter.since = Math.max(waiter.since, askedAt);
    } catch (error) {
      this.stats.failedRounds++;
      if (error instanceof GenesysApiError && !error.retryable) {
        // The report API itself refused (a permission, a malformed request): no later round will differ.
        for (const waiter of [...this.waiting]) waiter.fail(error);
      } else {
        // Transient (a 429, a 5xx, a download that failed): the next round asks again.
        this.lastError = asError(error).message;
      }
    } finally {
      this.roundRunning = false;
      this.schedule();
    }
  }

  private refill(): number {
    const now = Date.now();
    this.roundTokens = Math.min(
      this.roundBurst,
      this.roundTokens + (now - this.refilledAt) / this.roundIntervalMs,
    );
    this.refilledAt = now;
    return now;
  }

  /** Asks for a report of the uploads since `dateSince`, waits for it, and downloads what it lists. */
  private async report(
    dateSince: string,
  ): Promise<{ askedAt: number; entries: RecordingUploadReportEntry[] }> {
    this.stats.reportRequests++;
    const askedAt = Date.now();
    let report = await createRecordingUploadReport(this.client, dateSince);
    const startedAt = Date.now();
    let pause = this.reportPollMs;
    while (report.state === 'InProgress') {
      if (Date.now() - startedAt > this.reportGiveUpMs) {
        throw new Error(`upload report ${report.id} was still in progress after ${this.reportGiveUpMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 2_000);
      this.stats.reportRequests++;
      report = await getRecordingUploadReport(this.client, report.id);
    }
    if (report.state === 'Failed' || report.signedUrl === undefined) {
      throw new Error(`upload report ${report.id} ended ${report.state} without a listing`);
    }
    try {
      return { askedAt, entries: await readRecordingUploadReport(report.signedUrl) };
    } catch (error) {
      // A storage URL that failed or expired is not the API refusing us: a fresh report has a fresh URL.
      throw new Error(`upload report ${report.id} could not be read: ${asError(error).message}`, {
        cause: error,
      });
    }
  }
}

/** What a listed upload settles: `Success` is playable, `Failure` refused; the rest is still on its way. */
export function confirmationOf(entry: RecordingUploadReportEntry): RecordingConfirmation | undefined {
  if (entry.status === 'Success') return { state: 'playable', recordingId: entry.recordingId };
  if (entry.status === 'Failure')
    return { state: 'refused', reason: entry.errorMessage ?? 'Genesys marked the upload as failed' };
  return undefined;
}

/**
 * Of two uploads of one file, the one that says most: settled over stored, stored (`WaitForConversation`:
 * the PUT landed) over `Pending` (a URL was asked for, its PUT never landed).
 */
const ranks: Record<RecordingUploadReportEntry['status'], number> = {
  Success: 3,
  Failure: 2,
  WaitForConversation: 1,
  Pending: 0,
};
