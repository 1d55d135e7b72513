/**
 * The ingress's TLS certificate from its files (BYOI_INGRESS_TLS_CERT, _KEY, _CHAIN): read, and checked
 * the way a TLS handshake would need it (PEM that parses, a key that matches, not expired) before it is
 * served, so that a bad pair on SIGHUP is refused while the one in use stays.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { TlsFiles } from '../../config/ingress-security';

/** A certificate ready to serve, with what the log may say of it (nothing secret). */
export interface ServedCertificate {
  context: SecureContextOptions;
  subject: string;
  serialNumber: string;
  fingerprint256: string;
  validTo: string;
}

/** Reads and checks the certificate files; throws an error naming the file and the fault, never the key. */
export async function readCertificate(files: TlsFiles): Promise<ServedCertificate> {
  const read = async (file: string) => {
    try {
      return await readFile(file);
    } catch (error) {
      throw new Error(
        `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
        {
          cause: error,
        },
      );
    }
  };
  const cert = await read(files.certFile);
  const key = await read(files.keyFile);
  const chain = files.chainFile === undefined ? undefined : await read(files.chainFile);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw new Error(`${files.certFile}: not a PEM certificate`);
  }
  if (Date.parse(leaf.validTo) < Date.now()) {
    throw new Error(`${files.certFile}: the certificate expired on ${leaf.validTo}`);
  }
  const context = { cert: chain ? Buffer.concat([cert, Buffer.from('\n'), chain]) : cert, key };
  try {
    // What the server would do with it: a key that does not parse or does not match throws here.
    createSecureContext(context);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${files.keyFile}: not the private key of ${files.certFile} (${reason})`, {
      cause: error,
    });
  }
  return {
    context,
    subject: leaf.subject,
    serialNumber: leaf.serialNumber,
    fingerprint256: leaf.fingerprint256,
    validTo: leaf.validTo,
  };
}
