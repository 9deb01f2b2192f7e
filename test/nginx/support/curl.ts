import { execFileAsync, requireTool } from "./tools";

export interface CurlResult {
  /** curl's exit code: 0 ok, 7 connection refused, 52 empty reply (nginx 444). */
  readonly exitCode: number;
  readonly status: number;
  /** Lower-cased names; repeated headers joined with ", " (so duplicates are visible). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface CurlOptions {
  readonly host?: string;
  readonly user?: string;
  readonly https?: boolean;
}

/** One request to the sandbox nginx on loopback. */
export async function curl(port: number, path: string, options: CurlOptions = {}): Promise<CurlResult> {
  const curlBinary = requireTool("curl", "curl");
  const scheme = options.https ? "https" : "http";
  const args = ["-sS", "-i", "--max-time", "5", "--path-as-is", `${scheme}://127.0.0.1:${port}${path}`];
  if (options.https) args.push("-k");
  if (options.host) args.push("-H", `Host: ${options.host}`);
  if (options.user) args.push("-u", options.user);
  try {
    const { stdout } = await execFileAsync(curlBinary, args);
    return parseResponse(0, stdout);
  } catch (error) {
    const failure = error as { code?: number; stdout?: string };
    return parseResponse(typeof failure.code === "number" ? failure.code : -1, failure.stdout ?? "");
  }
}

function parseResponse(exitCode: number, raw: string): CurlResult {
  const split = raw.indexOf("\r\n\r\n");
  const head = split === -1 ? raw : raw.slice(0, split);
  const [statusLine = "", ...headerLines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
  }
  return {
    exitCode,
    status: Number(statusLine.split(" ")[1] ?? 0),
    headers,
    body: split === -1 ? "" : raw.slice(split + 4),
  };
}

/** Status codes of many requests over one keep-alive connection, in order (one curl process). */
export async function burstStatuses(port: number, path: string, count: number, host: string, user: string): Promise<number[]> {
  const curlBinary = requireTool("curl", "curl");
  const url = `http://127.0.0.1:${port}${path}`;
  const args = ["-sS", "--max-time", "20", "-H", `Host: ${host}`, "-u", user, "-w", "%{http_code}\\n"];
  // -o binds to the next URL only, so every URL gets its own.
  for (let i = 0; i < count; i++) args.push("-o", "/dev/null", url);
  const { stdout } = await execFileAsync(curlBinary, args);
  return stdout.trim().split("\n").map(Number);
}
