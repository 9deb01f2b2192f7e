import { randomInt } from "node:crypto";
import type { ResourceHandler } from "./handler";
import { InputReader } from "./inputReader";
import { runProcess } from "./processRunner";
import type { BcryptHasher } from "./types";

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NUMERIC = "0123456789";
/** The random provider's default special characters. */
const SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

export interface PasswordSpec {
  readonly length: number;
  readonly alphabet: string;
}

export function readPasswordSpec(inputs: Record<string, unknown>, what = "randomPassword"): PasswordSpec {
  const reader = InputReader.of(what, inputs);
  const length = reader.optionalNumber("length");
  if (length === undefined || !Number.isInteger(length) || length < 1) throw new Error(`${what}.length must be a positive integer`);
  const special = reader.optionalBoolean("special") ?? true;
  const overrideSpecial = reader.optionalString("overrideSpecial");
  const alphabet = [
    reader.optionalBoolean("lower") ?? true ? LOWER : "",
    reader.optionalBoolean("upper") ?? true ? UPPER : "",
    reader.optionalBoolean("numeric") ?? true ? NUMERIC : "",
    special ? (overrideSpecial ?? SPECIAL) : "",
  ].join("");
  // Compared for replacement only: any change regenerates, as the provider does.
  reader.opaque("keepers");
  reader.finish();
  if (alphabet === "") throw new Error(`${what}: no character classes enabled`);
  return { length, alphabet };
}

export function generatePassword(spec: PasswordSpec): string {
  let password = "";
  for (let index = 0; index < spec.length; index += 1) password += spec.alphabet[randomInt(spec.alphabet.length)];
  return password;
}

/**
 * bcrypt via Apache's htpasswd, the password on stdin (-i), cost 10 like the provider.
 * htpasswd writes $2y$; for bcrypt's 7-bit input that is the same hash as the
 * provider's $2a$, so only the prefix is changed.
 */
export function htpasswdBcrypt(htpasswdBinary = "htpasswd"): BcryptHasher {
  return async (password) => {
    const result = await runProcess(htpasswdBinary, ["-niBC", "10", "cm"], password);
    const hash = result.stdout.trim().replace(/^cm:/, "");
    if (result.exitCode !== 0 || !/^\$2[aby]\$10\$[./A-Za-z0-9]{53}$/.test(hash)) {
      throw new Error(`htpasswd could not hash the password (exit ${result.exitCode}): ${result.stderr.trim()}`);
    }
    return hash.replace(/^\$2y\$/, "$2a$");
  };
}

/**
 * random:index/randomPassword:RandomPassword: generated locally; every input change
 * (in practice `keepers`) replaces it with a new password, otherwise it is kept.
 */
export function randomPasswordHandler(hash: BcryptHasher): ResourceHandler {
  return {
    deleteBeforeReplaceByDefault: false,
    secretOutputs: ["result", "bcryptHash"],
    validate: (desired) => void readPasswordSpec(desired.inputs, desired.name),
    async create(desired) {
      const result = generatePassword(readPasswordSpec(desired.inputs, desired.name));
      return { id: "none", outputs: { result, bcryptHash: await hash(result) } };
    },
    delete: async () => undefined,
  };
}
