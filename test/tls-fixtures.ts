/**
 * Certificates for the ingress's TLS tests: self-signed pairs made by openssl for 127.0.0.1, clients that
 * trust them, and the certificate a server actually presents.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFile, readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import path from 'node:path';
import { connect } from 'node:tls';

/** A certificate and its key, as files, with what identifies it. */
export interface TestCertificate {
  certFile: string;
  keyFile: string;
  pem: Buffer;
  fingerprint256: string;
  serialNumber: string;
}

/** A new self-signed certificate for 127.0.0.1, valid a day, named `name` in `dir`. */
export async function selfSignedCertificate(dir: string, name: string): Promise<TestCertificate> {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      `/CN=byoi-ingress-test-${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const pem = await readFile(certFile);
  const certificate = new X509Certificate(pem);
  return {
    certFile,
    keyFile,
    pem,
    fingerprint256: certificate.fingerprint256,
    serialNumber: certificate.serialNumber,
  };
}

/** Puts `certificate`'s files where the ingress reads its own (`files`), as an operator's rotation would. */
export async function install(
  certificate: TestCertificate,
  files: { certFile: string; keyFile: string },
): Promise<void> {
  await copyFile(certificate.certFile, files.certFile);
  await copyFile(certificate.keyFile, files.keyFile);
}

/** An https agent that trusts `certificates` and opens a new connection for every request. */
export function trustingAgent(...certificates: TestCertificate[]): Agent {
  return new Agent({ ca: certificates.map((certificate) => certificate.pem), keepAlive: false });
}

/** The certificate the server at `url` presents in a new handshake (trusting `certificates`). */
export function servedCertificate(
  url: string,
  ...certificates: TestCertificate[]
): Promise<{ fingerprint256: string; serialNumber: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: hostname, port: Number(port), ca: certificates.map((certificate) => certificate.pem) },
      () => {
        const peer = socket.getPeerCertificate();
        socket.end();
        resolve({ fingerprint256: peer.fingerprint256, serialNumber: peer.serialNumber });
      },
    );
    socket.once('error', reject);
  });
}
