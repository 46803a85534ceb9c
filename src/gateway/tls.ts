import { createPrivateKey, randomBytes, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isIP } from 'node:net';
import { TlsError } from './errors.js';

/**
 * The certificate the gateways answer an SSLRequest with (PostgreSQL protocol §53.2.10; MySQL
 * likewise after its handshake). An operator gives their own (--tls-cert/--tls-key); otherwise
 * `gatehouse init` makes a self-signed one, so that every client can at least encrypt
 * (sslmode=require), and a client given the certificate as its root (sslrootcert) can also
 * verify the server (sslmode=verify-full).
 */
export interface TlsFiles {
  /** PEM certificate (a chain may follow the leaf). */
  cert: string;
  /** PEM private key, unencrypted, private to its owner. */
  key: string;
}

export const TLS_DIR = 'tls';
export const CERT_FILE = 'gateway.crt';
export const KEY_FILE = 'gateway.key';
/** How long a self-signed certificate made here is valid (from one hour before it is made). */
export const SELF_SIGNED_DAYS = 365;
/** Always in the self-signed certificate: the loopback names clients on this machine use. */
export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

export function defaultTlsFiles(dataDir: string): TlsFiles {
  return { cert: join(dataDir, TLS_DIR, CERT_FILE), key: join(dataDir, TLS_DIR, KEY_FILE) };
}

/** What an operator checks a certificate by: the fingerprint a client can pin, its names, its validity. */
export interface CertificateSummary {
  /** SHA-256 of the DER certificate, colon-separated upper-case hex (as `openssl x509 -fingerprint -sha256` prints it). */
  fingerprint: string;
  subject: string;
  /** e.g. ["DNS:localhost", "IP Address:127.0.0.1"]. */
  subjectAltNames: string[];
  notBefore: Date;
  notAfter: Date;
}

export interface TlsCredentials extends CertificateSummary {
  /** PEM, as read: what `tls.createSecureContext({ cert, key })` takes. */
  cert: Buffer;
  key: Buffer;
}

/** A DNS name as RFC 1123 §2.1 allows one (labels of letters, digits and inner hyphens). */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The subject alternative names: loopback first, then the given ones, each once. */
export function certificateNames(hostnames: readonly string[]): string[] {
  const names: string[] = [];
  for (const raw of [...LOOPBACK_NAMES, ...hostnames]) {
    const name = raw.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (isIP(name) === 0 && !DNS_NAME.test(name)) {
      throw new TlsError(`"${raw}" is neither a host name nor an IP address; it cannot go in the TLS certificate`);
    }
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** Loaded only when a certificate is made (init): the library wants a global Reflect polyfill first. */
async function x509Library() {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

function writeNew(path: string, text: string, mode: number): void {
  const fd = openSync(path, 'wx', mode); // never overwrites
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes a self-signed certificate and its key: ECDSA P-256 with SHA-256 (small, fast, and
 * accepted by every TLS 1.2+ client), CN=gatehouse, valid SELF_SIGNED_DAYS, with the loopback
 * names and `hostnames` as subject alternative names (RFC 5280 §4.2.1.6; clients match host
 * names against these, not the CN: RFC 9525 §6.3). The key is written first, mode 0600, in a
 * folder made 0700; neither file is ever overwritten.
 */
export async function createSelfSignedCertificate(
  files: TlsFiles,
  hostnames: readonly string[],
  options: { now?: Date } = {},
): Promise<CertificateSummary> {
  const names = certificateNames(hostnames);
  for (const path of [files.key, files.cert]) {
    if (existsSync(path)) throw new TlsError(`${path} already exists; a certificate or key is never overwritten (remove both files to make a new pair)`);
  }
  const x509 = await x509Library();
  const now = options.now ?? new Date();
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets, unpredictable (CA/B BR §7.1).
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  serial[0]! |= 0x01;
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000); // a client's clock may be a little behind
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.toString('hex'),
      name: 'CN=gatehouse',
      notBefore,
      notAfter: new Date(notBefore.getTime() + SELF_SIGNED_DAYS * 24 * 60 * 60 * 1000),
      signingAlgorithm: algorithm,
      keys,
      extensions: [
        // An end-entity certificate (§4.2.1.9), for TLS servers only (§4.2.1.3, §4.2.1.12).
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value }))),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  const certPem = `${certificate.toString('pem')}\n`;

  for (const dir of new Set([dirname(files.key), dirname(files.cert)])) {
    // Only a folder made here gets 0700; one the operator chose keeps its mode.
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  writeNew(files.key, keyPem, 0o600);
  try {
    writeNew(files.cert, certPem, 0o644); // public: clients are given it
  } catch (error) {
    rmSync(files.key, { force: true }); // both or neither, so a second run can start afresh
    throw new TlsError(`cannot write the TLS certificate ${files.cert}: ${(error as Error).message}`, { cause: error });
  }
  return summarize(new X509Certificate(certPem));
}

function summarize(cert: X509Certificate): CertificateSummary {
  return {
    fingerprint: cert.fingerprint256,
    subject: cert.subject,
    subjectAltNames: (cert.subjectAltName ?? '').split(', ').filter((s) => s !== ''),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new TlsError(`no TLS ${what} at ${path}; run 'gatehouse init' to create a self-signed certificate, or give yours with --tls-cert and --tls-key`);
    }
    if (code === 'EACCES') throw new TlsError(`cannot read the TLS ${what} ${path}: permission denied`);
    if (code === 'EISDIR') throw new TlsError(`the TLS ${what} ${path} is a directory, not a PEM file`);
    throw new TlsError(`cannot read the TLS ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Reads and checks a certificate and its key, so that a bad file stops start-up with a line
 * naming it rather than failing each client's handshake: both must be PEM, the key unencrypted
 * and not open to the world or writable by the group (PostgreSQL's own rule for its server key
 * allows group read, for keys owned by root and shared with a group), and the key must be the
 * certificate's. An expired certificate loads (clients with sslmode=require still connect);
 * the caller warns about it from `notAfter`.
 */
export function loadTlsCredentials(files: TlsFiles): TlsCredentials {
  const cert = readPem(files.cert, 'certificate');
  const key = readPem(files.key, 'key');
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) {
    throw new TlsError(`the TLS certificate ${files.cert} is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
  }
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
  } catch (error) {
    throw new TlsError(`the TLS certificate ${files.cert} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  const mode = statSync(files.key).mode & 0o777;
  if ((mode & 0o027) !== 0) {
    throw new TlsError(`the TLS key ${files.key} is open to others (mode ${mode.toString(8)}); run chmod 600 on it`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString('latin1'))) {
    throw new TlsError(`the TLS key ${files.key} is not a PEM private key (expected -----BEGIN PRIVATE KEY-----)`);
  }
  if (key.includes('ENCRYPTED')) {
    throw new TlsError(`the TLS key ${files.key} is encrypted; give it unencrypted (e.g. openssl pkey -in KEY -out PLAIN), readable only by Gatehouse`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new TlsError(`the TLS key ${files.key} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (!parsed.checkPrivateKey(privateKey)) {
    throw new TlsError(`the TLS key ${files.key} is not the key of the certificate ${files.cert}`);
  }
  return { cert, key, ...summarize(parsed) };
}
