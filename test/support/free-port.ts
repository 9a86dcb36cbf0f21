/**
 * A free loopback port. Servers that must know their own URL before they start (a netid node's
 * issuer, which WebAuthn checks as the origin; a PostgreSQL server; Apache) ask for one here.
 */
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
