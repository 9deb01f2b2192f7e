import { openSshExecutor } from "../applier";
import type { DockerRunner, SshExecutor } from "../applier";

export interface HostFigures {
  busySeconds: number;
  sshSessions: number;
  dockerOperations: number;
  nginxReloads: number;
}

/** Per-host figures for the benchmark, taken by wrapping the applier's transports. */
export class HostMeter {
  private readonly figures = new Map<string, HostFigures>();

  constructor(private readonly names: ReadonlyMap<string, string>) {}

  private of(address: string): HostFigures {
    const name = this.names.get(address) ?? address;
    let figures = this.figures.get(name);
    if (!figures) {
      figures = { busySeconds: 0, sshSessions: 0, dockerOperations: 0, nginxReloads: 0 };
      this.figures.set(name, figures);
    }
    return figures;
  }

  ssh(inner: SshExecutor = openSshExecutor()): SshExecutor {
    return async (session) => {
      const started = process.hrtime.bigint();
      const result = await inner(session);
      const figures = this.of(session.connection.host);
      figures.busySeconds += Number(process.hrtime.bigint() - started) / 1e9;
      figures.sshSessions += 1;
      // Every edge script prints one summary line saying whether it reloaded nginx.
      figures.nginxReloads += (result.stdout.match(/reloaded=yes/g) ?? []).length;
      return result;
    };
  }

  docker(address: string, inner: DockerRunner): DockerRunner {
    return async (args, environment, invocation) => {
      const started = process.hrtime.bigint();
      const result = await inner(args, environment, invocation);
      const figures = this.of(address);
      figures.busySeconds += Number(process.hrtime.bigint() - started) / 1e9;
      figures.dockerOperations += 1;
      return result;
    };
  }

  /** Figures since the last take, then starts counting afresh. */
  take(): Map<string, HostFigures> {
    const taken = new Map(this.figures);
    this.figures.clear();
    return taken;
  }
}
