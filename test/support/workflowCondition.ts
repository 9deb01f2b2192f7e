/**
 * Evaluates a job's `if:` against a given GitHub context, so a test can show when a job
 * runs (e.g. not for a pull request from a fork) instead of matching the condition's text.
 *
 * Only the subset our workflows use: context paths (`github.event.pull_request.number`),
 * '…' literals, `==`, `!=`, `!`, `&&`, `||` and parentheses, with GitHub's rules for them:
 * string comparison ignores case, a missing property is null, `&&`/`||` yield an operand.
 * Anything else throws, so a condition this cannot read fails the test rather than passing.
 */
export type ContextValue = string | number | boolean | null | { readonly [key: string]: ContextValue };
type Value = ContextValue | undefined;

const TOKEN = /\s*(\$\{\{|\}\}|==|!=|&&|\|\||!|\(|\)|'(?:[^']|'')*'|[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.trimEnd().length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (!match?.[1]) throw new Error(`condition: cannot read ${JSON.stringify(expression.slice(start))}`);
    tokens.push(match[1]);
  }
  // GitHub wraps a bare `if:` in ${{ }} itself.
  if (tokens[0] === "${{" && tokens.at(-1) === "}}") return tokens.slice(1, -1);
  return tokens;
}

function truthy(value: Value): boolean {
  return value !== null && value !== undefined && value !== false && value !== "" && value !== 0;
}

function equal(left: Value, right: Value): boolean {
  if (typeof left === "string" && typeof right === "string") return left.toLowerCase() === right.toLowerCase();
  return (left ?? null) === (right ?? null);
}

function lookup(path: string, context: ContextValue): Value {
  let value: Value = context;
  for (const key of path.split(".")) {
    value = value !== null && typeof value === "object" ? value[key] : undefined;
  }
  return value ?? null;
}

export function evaluateCondition(expression: string, context: ContextValue): boolean {
  const tokens = tokenize(expression);
  let position = 0;
  const next = (): string | undefined => tokens[position];
  const take = (expected?: string): string => {
    const token = tokens[position++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new Error(`condition: expected ${expected ?? "a value"} at token ${position} of ${JSON.stringify(expression)}`);
    }
    return token;
  };

  const primary = (): Value => {
    const token = take();
    if (token === "!") return !truthy(primary());
    if (token === "(") {
      const value = or();
      take(")");
      return value;
    }
    if (token.startsWith("'")) return token.slice(1, -1).replace(/''/g, "'");
    if (token === "true" || token === "false") return token === "true";
    if (token === "null") return null;
    if (/^[A-Za-z_]/.test(token)) return lookup(token, context);
    throw new Error(`condition: unexpected ${token} in ${JSON.stringify(expression)}`);
  };
  const comparison = (): Value => {
    const left = primary();
    const operator = next();
    if (operator !== "==" && operator !== "!=") return left;
    take();
    const same = equal(left, primary());
    return operator === "==" ? same : !same;
  };
  const and = (): Value => {
    let value = comparison();
    while (next() === "&&") {
      take();
      const right = comparison();
      value = truthy(value) ? right : value;
    }
    return value;
  };
  const or = (): Value => {
    let value = and();
    while (next() === "||") {
      take();
      const right = and();
      value = truthy(value) ? value : right;
    }
    return value;
  };

  const result = or();
  if (position !== tokens.length) throw new Error(`condition: unexpected ${tokens[position]} in ${JSON.stringify(expression)}`);
  return truthy(result);
}
