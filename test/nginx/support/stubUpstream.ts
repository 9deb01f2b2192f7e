import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export interface StubUpstream {
  readonly port: number;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/**
 * Stands in for the Flask app: echoes path and headers as JSON and sets its own
 * X-Frame-Options, so tests can check the edge replaces it instead of duplicating it.
 */
export function startStubUpstream(): Promise<StubUpstream> {
  const seen: SeenRequest[] = [];
  const server = createServer((request, response) => {
    const entry = { path: request.url ?? "", headers: request.headers };
    seen.push(entry);
    response.writeHead(200, { "Content-Type": "application/json", "X-Frame-Options": "SAMEORIGIN" });
    response.end(JSON.stringify(entry));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        seen,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
