// A self-signed certificate for 127.0.0.1, made with openssl, for tests of HTTPS and ca_file.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Why certificate tests are skipped here, or false when openssl can make one. */
export const noOpenssl: string | false = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'openssl is not installed (needed to make a test certificate)';
  }
})();

/** Writes key.pem and `certName` (the certificate, which is its own CA) into `dir`; returns their paths. */
export function makeTestCertificate(dir: string, certName = 'cert.pem'): { key: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, certName);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {
    stdio: 'ignore',
  });
  return { key, cert };
}
