import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzerResourceOptions, EnforcementLevel } from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

export interface AnalyzerDiagnostic {
  readonly policy: string;
  readonly level: "advisory" | "mandatory" | "other";
  readonly message: string;
  readonly urn: string;
}

export interface AnalyzerInfo {
  readonly name: string;
  readonly version: string;
  readonly policies: readonly { readonly name: string; readonly level: AnalyzerDiagnostic["level"] }[];
}

export interface RunningPolicyPack {
  info(): Promise<AnalyzerInfo>;
  /** One Analyze call with the inputs exactly as given (secret and unknown markers included). */
  analyze(resource: { type: string; name: string; urn: string; props: Record<string, unknown> }): Promise<AnalyzerDiagnostic[]>;
  close(): void;
}

function level(value: EnforcementLevel): AnalyzerDiagnostic["level"] {
  if (value === EnforcementLevel.MANDATORY) return "mandatory";
  if (value === EnforcementLevel.ADVISORY) return "advisory";
  return "other";
}

/**
 * Starts a policy pack the way the Pulumi CLI's Node.js language host does for
 * `--policy-pack DIR` (pulumi v3.248.0 sdk/nodejs/cmd/pulumi-language-nodejs/main.go
 * RunPlugin: `node <@pulumi/pulumi/cmd/run-policy-pack resolved from DIR> <engine> DIR`,
 * working directory DIR) and connects to the analyzer it serves on the port it prints.
 * Nothing here connects to an engine: the pack ignores the address until it logs.
 */
export async function startPolicyPack(dir: string, timeoutMs: number): Promise<RunningPolicyPack> {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
  const child: ChildProcess = spawn(process.execPath, [runner, "127.0.0.1:1", dir], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the policy pack printed no port within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the policy pack exited with ${String(code)} before serving; stderr: ${stderr}`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", (line) => {
      clearTimeout(timer);
      if (/^\d+$/.test(line.trim())) resolve(Number(line.trim()));
      else reject(new Error(`the policy pack printed ${JSON.stringify(line)} instead of a port; stderr: ${stderr}`));
    });
  });
  const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

  return {
    info: () =>
      new Promise((resolve, reject) =>
        client.getAnalyzerInfo(new Empty(), (error, response) => {
          if (error) return reject(error);
          resolve({
            name: response.getName(),
            version: response.getVersion(),
            policies: response.getPoliciesList().map((policy) => ({ name: policy.getName(), level: level(policy.getEnforcementlevel()) })),
          });
        }),
      ),
    analyze: (resource) => {
      const request = new AnalyzeRequest();
      request.setType(resource.type);
      request.setName(resource.name);
      request.setUrn(resource.urn);
      request.setProperties(Struct.fromJavaScript(resource.props as Parameters<typeof Struct.fromJavaScript>[0]));
      request.setOptions(new AnalyzerResourceOptions());
      return new Promise((resolve, reject) =>
        client.analyze(request, (error, response) => {
          if (error) return reject(error);
          resolve(
            response.getDiagnosticsList().map((diagnostic) => ({
              policy: diagnostic.getPolicyname(),
              level: level(diagnostic.getEnforcementlevel()),
              message: diagnostic.getMessage(),
              urn: diagnostic.getUrn(),
            })),
          );
        }),
      );
    },
    close: () => {
      client.close();
      child.kill();
    },
  };
}
