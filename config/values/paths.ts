import { show } from "./text";

const SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * An absolute path written into nginx files, shell variables and ssh options: "/" then
 * segments of letters, digits, '.', '_' and '-'. No "." or ".." (a path must say where it
 * is), no empty segment ("//", trailing "/"), nothing a shell or nginx would interpret.
 */
export function absolutePathProblems(text: string): string[] {
  if (!text.startsWith("/")) return [`${show(text)} is not an absolute path: start it with "/"`];
  const segments = text.slice(1).split("/");
  if (segments.some((segment) => segment === "")) {
    return [`${show(text)} has an empty segment ("//" or a trailing "/"): write each folder once, without a trailing "/"`];
  }
  if (segments.some((segment) => segment === "." || segment === "..")) {
    return [`${show(text)} has a "." or ".." segment: write the path it resolves to`];
  }
  if (!segments.every((segment) => SEGMENT.test(segment))) {
    return [`${show(text)} may hold only letters, digits, '.', '_', '-' and '/' (no spaces or shell characters)`];
  }
  return [];
}

/** True when candidate is folder itself or lies below it. */
export function isSameOrInside(candidate: string, folder: string): boolean {
  return candidate === folder || candidate.startsWith(`${folder}/`);
}
