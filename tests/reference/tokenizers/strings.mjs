// The test strings: hand-picked cases (English, code, emoji, CJK, numbers, runs of spaces and newlines), pairs of them
// joined by separators, and each file's special tokens embedded in text. Deterministic: no randomness.
const base = [
  "", " ", "  ", "   ", "\n", "\n\n", "\n\n\n", "\t", " \t \n ", "a", "A", "Hello", "Hello world", " Hello world",
  "Hello  world", "Hello   world!", "hello world\n", "The quick brown fox jumps over the lazy dog.",
  "I'm sure you'll see what we've done, isn't it? They'd say I'M HERE and YOU'LL SEE.",
  "It was the best of times, it was the worst of times.", "Mr. Knightley's opinion of Emma's match-making",
  "  leading spaces", "trailing spaces   ", "tabs\tand\ttabs\t\t", "line one\nline two\r\nline three\r",
  "multiple\n\n\nblank\n\n lines", "    indented code", "a  b   c    d     e",
  "def add(a, b):\n    return a + b\n", "for (int i = 0; i < n; i++) { sum += x[i]; }",
  "public static void Main(string[] args) => Console.WriteLine(\"hi\");", "const x = {a: 1, \"b\": [2, 3]};",
  "SELECT id, name FROM users WHERE age >= 21 ORDER BY name;", "<div class=\"x\">&nbsp;</div>",
  "#include <stdio.h>\nint main(void) { return 0; }", "x+=1;y-=2;z*=3;w/=4;", "if a!=b and c<=d: pass",
  "https://example.org/path?q=1&r=two#frag", "user@example.com", "C:\\Users\\test\\file.txt", "~/.config/app.yaml",
  "0", "7", "42", "123", "1234", "12345", "123456789", "3.14159", "-2.5e-3", "1,000,000", "2026-12-05T05:10:00Z",
  "$19.99", "100%", "phone: +1 (555) 010-9999", "v1.2.3-beta.4", "0x1F600", "½ ¾ ² ³ ⁴",
  "😀", "😀😃😄", "I love 😀you", "😀abc", "abc😀", "👍🏽 thumbs", "👨‍👩‍👧‍👦 family", "🇫🇷🇯🇵 flags", "❤️ love",
  "emoji in code: print('🎉')", "日本語のテキスト", "中文文本测试", "你好，世界！", "한국어 텍스트입니다", "混合 mixed 文字 text",
  "東京2026年12月", "Ελληνικά κείμενο", "Русский текст, да.", "עברית", "العربية نص", "हिन्दी पाठ", "ไทย ภาษา",
  "café naïve résumé façade", "Zoë Ångström Øresund", "straße ß ẞ", "ﬁ ligature", "e\u0301 decomposed",
  "𝒜𝒷𝒸 math letters", "𠀀𠀁 extension B", "𝟘𝟙𝟚 math digits", "non\u00a0breaking\u00a0space", "em—dash – en-dash … ellipsis",
  "“curly quotes” and ‘single’", "«guillemets»", "© ® ™ § ¶ † ‡", "→ ← ↑ ↓ ⇒", "∑ ∫ √ ∞ ≈ ≠ ≤ ≥",
  "!!!", "???", "...", "---", "___", "***", "#####", "((()))", "[[[]]]", "{{{}}}", "'''", "\"\"\"",
  "'s 't 're 've 'm 'll 'd", "don't DON'T Don'T", "o'clock rock'n'roll",
  "ALL CAPS SENTENCE HERE", "camelCaseIdentifier", "snake_case_identifier", "kebab-case-identifier",
  "CONSTANT_VALUE_42", "HTTPServerError404", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abababababababab",
  "   \n   \n   ", "\n \n \n", " \n", "\n ", "a\n\nb", "end.\n", "word\tword", "x  \n  y",
];

const separators = [" ", "\n", "", "  ", "\t", ", ", "\n\n"];

export function testStrings(specials) {
  const out = [...base];
  const n = base.length;
  for (let i = 0; out.length < base.length + 110; i++) {
    const a = base[(i * 7 + 3) % n], b = base[(i * 13 + 5) % n];
    out.push(a + separators[i % separators.length] + b);
  }
  for (const sp of specials) {
    out.push(sp, `${sp}Hello`, `Hello${sp}`, `a ${sp} b`, ` ${sp} `, `${sp}${sp}`, `${sp}\n`, `\n${sp}`, `x${sp}y😀`);
  }
  return out;
}
