import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { requireTool } from "./tools";

export interface TinyDisk {
  /** Takes every free block (one filler file, not *.conf), as a full disk would. */
  fill(): void;
  /** Frees what fill() took. */
  empty(): void;
  readOnly(): void;
  writable(): void;
  release(): void;
}

const FILLER = ".cm-test-filler";

/**
 * A 64 KiB tmpfs mounted over a folder, so a test can make exactly that folder full or
 * read-only. Needs root with CAP_SYS_ADMIN (CI runs as root on a VM); a failed mount fails
 * the test instead of skipping it.
 */
export function mountTinyDisk(folder: string): TinyDisk {
  const mount = requireTool("mount", "mount");
  const umount = requireTool("umount", "mount");
  try {
    execFileSync(mount, ["-t", "tmpfs", "-o", "size=64k,mode=0755", "cm-test-tiny", folder], { stdio: "pipe" });
  } catch (error) {
    throw new Error(`cannot mount a tmpfs on ${folder} (these tests need root with CAP_SYS_ADMIN): ${String(error)}`);
  }
  const remount = (mode: "ro" | "rw") => execFileSync(mount, ["-o", `remount,${mode}`, folder], { stdio: "pipe" });
  return {
    fill() {
      // dd stops with "No space left on device"; that is the point.
      execFileSync("/bin/sh", ["-c", `dd if=/dev/zero of=${join(folder, FILLER)} bs=4096 2>/dev/null || true`]);
    },
    empty() {
      rmSync(join(folder, FILLER), { force: true });
    },
    readOnly() {
      remount("ro");
    },
    writable() {
      remount("rw");
    },
    release() {
      execFileSync(umount, [folder], { stdio: "pipe" });
    },
  };
}
