// JSON.parse keeps the last of two equal keys; an exchange's parser may keep the first. A body
// like {"symbol":"BTCUSDT","symbol":"SHIBUSDT"} could then be classified as one order and executed
// as another, so duplicate keys (compared after unescaping: "a" and "\u0061" are the same key)
// make a body ambiguous, and ambiguous requests are refused.

/** Parses JSON, or returns an error string on a syntax error or a duplicate key at any depth. */
export function parseStrictJson(text: string): { value: unknown } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'the body is not valid JSON' };
  }
  const dup = findDuplicateKey(text);
  return dup === null ? { value } : { error: `the JSON body has the key "${dup.slice(0, 40)}" twice` };
}

/** Scans valid JSON text; returns the first duplicated key, or null. */
function findDuplicateKey(text: string): string | null {
  const stack: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack.at(-1);
    if (c === '{') stack.push({ keys: new Set(), expectKey: true });
    else if (c === '[') stack.push({ keys: null, expectKey: false });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top?.keys !== null && top !== undefined) top.expectKey = true;
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    }
  }
  return null;
}
