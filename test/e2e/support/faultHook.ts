import { spawn } from "node:child_process";
import type { SandboxHost } from "../../firewall/support/sandboxHosts";
import { sshArguments, type SshTarget } from "../../firewall/support/sshRunner";
import { onHost } from "./sandbox";

/** Where the hook and its notes live on every sandbox host. */
export const FAULT_DIR = "/root/cm-fault";

/**
 * Test-only, and never in the rendered scripts: bash sources $BASH_ENV before it runs a
 * non-interactive script, and the test puts BASH_ENV in front of the command string. The
 * provider cannot do that: it sends environment as SSH env requests, which sshd drops
 * (AcceptEnv LANG LC_*), and the command strings are the rendered ones.
 *
 * Modes: "count" writes every command the script's own shell runs (one per line);
 * "step" SIGKILLs that shell just before its Nth command, so no EXIT trap runs, as after a
 * kill -9; "group" SIGKILLs the whole session's process group after a delay, children
 * included (a half-written file, an nginx -t or iptables-restore cut short); "ufw"
 * SIGKILLs the process group as soon as ufw has written its rule file for the Nth time
 * (CM_FAULT_AT), which lands inside that ufw call, between its files and its live chains
 * (ufw's set_rule writes user.rules in place, then runs iptables): a timed kill hits that
 * window of a few milliseconds only by luck; "ssh" only announces the start, and the test
 * cuts the connection.
 */
export const FAULT_HOOK = `# cm-infra fault injection (test only)
if [[ -n \${CM_FAULT_MODE:-} ]]; then
  printf '%s\\n' "$$" >"${FAULT_DIR}/pid"
  printf 'cm-fault: started\\n' >&2
  cm_fault_nl=$'\\n'
  case $CM_FAULT_MODE in
    count)
      set -T
      trap 'if (( BASHPID == $$ )); then printf "%s\\n" "\${BASH_COMMAND//$cm_fault_nl/ }" >>"${FAULT_DIR}/steps"; fi' DEBUG
      ;;
    step)
      set -T
      cm_fault_step=0
      trap 'if (( BASHPID == $$ )); then cm_fault_step=$((cm_fault_step + 1)); if (( cm_fault_step == CM_FAULT_AT )); then printf "%s\\n" "\${BASH_COMMAND//$cm_fault_nl/ }" >"${FAULT_DIR}/killed-at"; kill -KILL $$; fi; fi' DEBUG
      ;;
    group)
      (sleep "$CM_FAULT_AFTER" && kill -KILL 0) </dev/null >/dev/null 2>&1 &
      ;;
    ufw)
      (
        cm_fault_seen=$(stat -c %y /etc/ufw/user.rules)
        cm_fault_writes=0
        while kill -0 $$ 2>/dev/null; do
          cm_fault_now=$(stat -c %y /etc/ufw/user.rules)
          [[ $cm_fault_now != "$cm_fault_seen" ]] || continue
          cm_fault_seen=$cm_fault_now
          # the whole file written (it ends with COMMIT), so ufw's own copy is not cut
          until [[ $(tail -n 1 /etc/ufw/user.rules) == COMMIT ]]; do :; done
          cm_fault_writes=$((cm_fault_writes + 1))
          if (( cm_fault_writes == CM_FAULT_AT )); then
            printf 'ufw wrote user.rules (%s)\\n' "$cm_fault_writes" >"${FAULT_DIR}/killed-at"
            kill -KILL 0
          fi
        done
      ) </dev/null >/dev/null 2>&1 &
      ;;
  esac
fi
`;

export type Interruption =
  | { readonly mode: "step"; readonly step: number }
  | { readonly mode: "group"; readonly afterMs: number }
  | { readonly mode: "ufw"; readonly write: number }
  | { readonly mode: "ssh"; readonly afterMs: number };

export interface RemoteRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export function installHook(host: SandboxHost): void {
  const result = onHost(host, ["sh", "-c", `mkdir -p ${FAULT_DIR} && cat >${FAULT_DIR}/hook.sh`], FAULT_HOOK);
  if (result.status !== 0) throw new Error(`installing the fault hook on ${host.container}: ${result.stderr}`);
}

// A bash whose stdin is a socket (sshd's session) and that is a top-level shell reads
// ~/.bashrc instead of $BASH_ENV (run_startup_files in bash's shell.c), and the login
// shell execs the last command of its -c string in its own place, resetting SHLVL. The
// trailing exit keeps the script's bash a child of the login shell, so it reads the hook.
function withHook(command: string, mode: string, extra: Readonly<Record<string, string>>): string {
  const assignments = Object.entries({ CM_FAULT_MODE: mode, ...extra, BASH_ENV: `${FAULT_DIR}/hook.sh` })
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");
  return `rm -f ${FAULT_DIR}/pid ${FAULT_DIR}/steps ${FAULT_DIR}/killed-at; ${assignments} ${command}; exit $?`;
}

/**
 * One SSH session as @pulumi/command opens it (command string, stdin piped); cutAfterMs
 * kills the local ssh client that long after the remote script announced its start, which
 * drops the connection the way a sleeping laptop or a cancelled runner does.
 */
export function runSession(target: SshTarget, command: string, stdin: string, cutAfterMs?: number): Promise<RemoteRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", sshArguments(target, command), { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (cutAfterMs !== undefined && timer === undefined && stderr.includes("cm-fault: started")) {
        timer = setTimeout(() => child.kill("SIGKILL"), cutAfterMs);
      }
    });
    // A cut connection may leave stdin unwritable; that is the point.
    child.stdin.on("error", () => undefined);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(deadline);
      if (timer) clearTimeout(timer);
      resolve({ exitCode: code ?? (signal ? 128 : -1), stdout, stderr, durationMs: Date.now() - started });
    });
    child.stdin.end(stdin);
  });
}

/** The steps the script's own shell runs, one per line, from a "count" run. */
export async function countSteps(target: SshTarget, host: SandboxHost, command: string, stdin: string): Promise<{ run: RemoteRun; steps: string[] }> {
  const run = await runSession(target, withHook(command, "count", {}), stdin);
  const steps = onHost(host, ["cat", `${FAULT_DIR}/steps`]).stdout.split("\n").filter((line) => line !== "");
  return { run, steps };
}

/**
 * Runs the command with one interruption, then waits (bounded) until the script's shell is
 * gone: after a cut connection it may still be running, or dying on its next write.
 */
export async function runInterrupted(
  target: SshTarget,
  host: SandboxHost,
  command: string,
  stdin: string,
  interruption: Interruption,
): Promise<{ run: RemoteRun; killedAt: string }> {
  let run: RemoteRun;
  if (interruption.mode === "step") {
    run = await runSession(target, withHook(command, "step", { CM_FAULT_AT: String(interruption.step) }), stdin);
  } else if (interruption.mode === "ufw") {
    run = await runSession(target, withHook(command, "ufw", { CM_FAULT_AT: String(interruption.write) }), stdin);
  } else if (interruption.mode === "group") {
    run = await runSession(target, withHook(command, "group", { CM_FAULT_AFTER: (interruption.afterMs / 1000).toFixed(3) }), stdin);
  } else {
    run = await runSession(target, withHook(command, "ssh", {}), stdin, interruption.afterMs);
  }
  const waited = onHost(host, [
    "bash",
    "-c",
    `pid=$(cat ${FAULT_DIR}/pid 2>/dev/null) || exit 0
for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || { cat ${FAULT_DIR}/killed-at 2>/dev/null; exit 0; }; sleep 0.05; done
echo "script $pid still running 30 s after the interruption" >&2; exit 1`,
  ]);
  if (waited.status !== 0) throw new Error(waited.stderr);
  const killedAt = waited.stdout.trim();
  return { run, killedAt };
}
