import { generateKeyPairSync } from "node:crypto";

/** RFC 4251 "string": a uint32 length, then the bytes. */
function wireString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** RFC 4251 "mpint": big-endian, with a leading zero byte when the top bit is set. */
function mpint(bytes: Buffer): Buffer {
  return wireString((bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function fromJwk(value: string | undefined): Buffer {
  return Buffer.from(value ?? "", "base64url");
}

/** A real public key of each type, in the "<type> <base64>" form ssh-keyscan prints. */
export function publicHostKey(type: "ssh-ed25519" | "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521" | "ssh-rsa"): string {
  const label = Buffer.from(type);
  let blob: Buffer;
  if (type === "ssh-ed25519") {
    const jwk = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
    blob = Buffer.concat([wireString(label), wireString(fromJwk(jwk.x))]);
  } else if (type === "ssh-rsa") {
    const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" });
    blob = Buffer.concat([wireString(label), mpint(fromJwk(jwk.e)), mpint(fromJwk(jwk.n))]);
  } else {
    const curve = type.slice("ecdsa-sha2-".length);
    const namedCurve = { nistp256: "P-256", nistp384: "P-384", nistp521: "P-521" }[curve] ?? "P-256";
    const jwk = generateKeyPairSync("ec", { namedCurve }).publicKey.export({ format: "jwk" });
    const point = Buffer.concat([Buffer.from([4]), fromJwk(jwk.x), fromJwk(jwk.y)]);
    blob = Buffer.concat([wireString(label), wireString(Buffer.from(curve)), wireString(point)]);
  }
  return `${type} ${blob.toString("base64")}`;
}
