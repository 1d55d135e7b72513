/**
 * What the ingress re-reads on SIGHUP, without dropping its listener: its certificate files and its secrets
 * file. Each is checked whole before it replaces the one in use; a bad one is logged (its file and its
 * problems, never a secret) and the previous one is kept, so a botched rotation never locks a source out.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { BridgeConfig } from '../../config';
import { IngressSecretsError, parseIngressSecrets, type SourceSecrets } from '../../config/ingress-security';
import { readCertificate, type ServedCertificate } from './certificate';
import type { Ingress } from './ingress';

/** The settings a reload reads. */
export type ReloadSettings = Pick<BridgeConfig['ingress'], 'tls' | 'secretsFile'>;

/** What a reload did with each part: replaced it, kept the previous one (refused), or has none configured. */
export interface ReloadOutcome {
  certificate: 'reloaded' | 'kept' | 'none';
  secrets: 'reloaded' | 'kept' | 'none';
}

/** Each source's secrets from the secrets file; throws {@link IngressSecretsError}, naming every problem. */
export async function readSecretsFile(file: string): Promise<Record<string, SourceSecrets>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new IngressSecretsError(file, [
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
    ]);
  }
  return parseIngressSecrets(file, text);
}

/** What the log says of a certificate: enough to tell which one is served, nothing secret. */
export function certificateSummary(certificate: ServedCertificate) {
  const { subject, serialNumber, fingerprint256, validTo } = certificate;
  return { subject, serialNumber, fingerprint256, validTo };
}

/** Re-reads the certificate and the secrets file, and swaps in each that is good (the SIGHUP handler). */
export async function reloadIngressSecurity(
  ingress: Ingress,
  settings: ReloadSettings,
  logger: Logger,
): Promise<ReloadOutcome> {
  const outcome: ReloadOutcome = { certificate: 'none', secrets: 'none' };
  if (settings.tls) {
    try {
      const certificate = await readCertificate(settings.tls);
      ingress.replaceCertificate(certificate.context);
      outcome.certificate = 'reloaded';
      logger.info({ certificate: certificateSummary(certificate) }, 'ingress certificate reloaded');
    } catch (error) {
      outcome.certificate = 'kept';
      logger.error(
        { problem: error instanceof Error ? error.message : String(error) },
        'ingress certificate not reloaded: the previous one is still served',
      );
    }
  }
  if (settings.secretsFile !== undefined) {
    try {
      const sources = await readSecretsFile(settings.secretsFile);
      ingress.replaceSources(sources);
      outcome.secrets = 'reloaded';
      logger.info({ sources: secretsSummary(sources) }, 'ingress secrets reloaded');
    } catch (error) {
      if (!(error instanceof IngressSecretsError)) throw error;
      outcome.secrets = 'kept';
      logger.error(
        { file: error.file, problems: error.problems },
        'ingress secrets not reloaded: the previous ones are still valid',
      );
    }
  }
  if (outcome.certificate === 'none' && outcome.secrets === 'none') {
    // The environment's secret lists are read once: a SIGHUP that changes nothing says so.
    logger.warn('nothing to reload: the ingress has no certificate files and no secrets file');
  }
  return outcome;
}

/** How many secrets of each kind each source has: what an operator checks after a rotation. */
export function secretsSummary(sources: Record<string, SourceSecrets>) {
  return Object.fromEntries(
    Object.entries(sources).map(([source, secrets]) => [
      source,
      {
        tokens: secrets.tokens.length,
        hmacSecrets: secrets.hmacSecrets.length,
        twilioAuthTokens: secrets.twilioAuthTokens.length,
      },
    ]),
  );
}
