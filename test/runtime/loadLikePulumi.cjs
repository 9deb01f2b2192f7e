// Loads index.ts exactly the way @pulumi/pulumi's Node.js runner does for `typescript: true`
// (its ts-node choice, its compiler options, type checking on), against mocks, and prints how
// many resources the program registered. Run by test/runtime/pulumiLoader.test.ts.
const path = require("path");
const semver = require(require.resolve("semver", { paths: [require.resolve("@pulumi/pulumi")] }));
const tsutils = require("@pulumi/pulumi/tsutils");
const pulumi = require("@pulumi/pulumi");
const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const ts = require(typescriptRequire);
const useNodeNext = semver.parse(ts.version).compare(new semver.SemVer("4.7.0")) >= 0;
console.log("ts", ts.version, "ts-node", tsnodeRequire);
require(tsnodeRequire).register({
  compiler: typescriptRequire, transpileOnly: undefined, project: "tsconfig.json", skipProject: false,
  compilerOptions: { target: "ES2020", module: useNodeNext ? "nodenext" : "commonjs", moduleResolution: useNodeNext ? "nodenext" : "node", sourceMap: "true", ...compilerOptions },
});
const names = [];
const stack = process.argv[2] || "rex";
pulumi.runtime.setMocks({ newResource: (a) => { names.push(a.type); return { id: a.name, state: a.inputs }; }, call: (a) => a.inputs }, "cm-infra", stack, true);
const config = {};
const yaml = require("yaml");
for (const [k, v] of Object.entries(yaml.parse(require("fs").readFileSync(`Pulumi.${stack}.yaml`, "utf8")).config)) config[k] = typeof v === "string" ? v : JSON.stringify(v);
const secrets = ["dbPassword","dbRootPassword","agentId","agentPassword","securityPin","telegramBotToken","sshPrivateKey"].map((k) => "cm-infra:" + k);
for (const k of secrets) config[k] = "x";
pulumi.runtime.setAllConfig(config, secrets);
require(path.resolve("index.ts"));
// Preview mode: resources register as soon as their inputs are known; give them a moment.
setTimeout(() => console.log(`registered ${names.length} resources: ${[...new Set(names)].sort().join(" ")}`), 3000);
