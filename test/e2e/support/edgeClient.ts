import { run } from "./sandbox";

export interface EdgeTarget {
  readonly address: string;
  readonly port: number;
  readonly domain: string;
}
export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export interface Response {
  /** curl's exit code: 52 is "empty reply" (nginx 444 closed the connection). */
  readonly exitCode: number;
  readonly status: number;
  readonly body: string;
}

/**
 * curl from the test runner to the edge, the domain resolved to the proxy. Credentials go
 * in curl's config on stdin, never on its command line.
 */
export function request(target: EdgeTarget, path: string, credentials?: Credentials): Response {
  const marker = "\n--cm-status:";
  const config = credentials ? `user = "${credentials.user}:${credentials.password.replace(/["\\]/g, "\\$&")}"\n` : "";
  const result = run(
    "curl",
    ["-sS", "--path-as-is", "--max-time", "10", "-K", "-", "--resolve", `${target.domain}:${target.port}:${target.address}`, "-w", `${marker}%{http_code}`, `http://${target.domain}:${target.port}${path}`],
    { input: config },
  );
  const at = result.stdout.lastIndexOf(marker);
  return {
    exitCode: result.status,
    status: at >= 0 ? Number(result.stdout.slice(at + marker.length)) : 0,
    body: at >= 0 ? result.stdout.slice(0, at) : result.stdout,
  };
}

/** Status codes of `count` requests sent back to back (one curl, one connection). */
export function burst(target: EdgeTarget, path: string, count: number): number[] {
  const url = `http://${target.domain}:${target.port}${path}`;
  const config = Array.from({ length: count }, () => `url = "${url}"\noutput = "/dev/null"`).join("\n");
  const result = run("curl", ["-sS", "--max-time", "30", "-K", "-", "--resolve", `${target.domain}:${target.port}:${target.address}`, "-w", "%{http_code}\\n"], {
    input: `${config}\n`,
  });
  return result.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map(Number);
}
