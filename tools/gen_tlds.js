// Generates socialsync-core/src/hashtag/tlds.rs from twitter-text 3.1.0's regexp/validGTLD.js and
// regexp/validCCTLD.js (the alternation order is kept as a rank).
// usage: node tools/gen_tlds.js /path/to/node_modules/twitter-text/dist/regexp > socialsync-core/src/hashtag/tlds.rs
// (the output is already as rustfmt lays it out)
const dir = process.argv[2];
const ext = (n) => {
  const s = require(dir + '/' + n).source;
  return s.match(/^\(\?:\(\?:(.*)\)\(\?=/)[1].split('|');
};
const g = ext('validGTLD'), c = ext('validCCTLD');
const all = g.concat(c);
// ECMAScript non-unicode case-insensitive Canonicalize (ES2018 21.2.2.8.2).
const canon = (s) => [...s].map((ch) => {
  const u = ch.toUpperCase();
  if (u.length !== 1) return ch;
  if (ch.charCodeAt(0) >= 128 && u.charCodeAt(0) < 128) return ch;
  return u;
}).join('');
const ascii = [...new Set(all.filter((t) => /^[a-z]+$/.test(t)))].sort();
const seen = new Set();
const other = [];
all.forEach((t, rank) => {
  if (/^[a-z]+$/.test(t) || seen.has(t)) return;
  seen.add(t);
  other.push([canon(t), rank]);
});
const cmp = (a, b) => { // code point order == UTF-8 byte order
  const x = [...a].map((ch) => ch.codePointAt(0)), y = [...b].map((ch) => ch.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
};
other.sort((a, b) => cmp(a[0], b[0]));
const maxChars = Math.max(...other.map(([t]) => [...t].length));
const maxAscii = Math.max(...ascii.map((t) => t.length));
const out = [];
out.push('//! Top-level domains that twitter-text 3.1.0 accepts at the end of a URL');
out.push('//! (`regexp/validGTLD.js`, then `regexp/validCCTLD.js`; the same list as');
out.push('//! `conformance/tld_lib.yml`). Generated data, not code: regenerate with');
out.push('//! `node tools/gen_tlds.js node_modules/twitter-text/dist/regexp > tlds.rs`.');
out.push('//!');
out.push('//! twitter-text tries the alternatives in list order; a `rank` keeps that');
out.push('//! order where two entries can match at one place (`嘉里大酒店` before `嘉里`).');
out.push('');
out.push(`/// Length in bytes of the longest entry of [\`ASCII_TLDS\`].`);
out.push(`pub(crate) const MAX_ASCII_TLD_LEN: usize = ${maxAscii};`);
out.push('');
out.push(`/// Length in chars of the longest entry of [\`OTHER_TLDS\`].`);
out.push(`pub(crate) const MAX_OTHER_TLD_CHARS: usize = ${maxChars};`);
out.push('');
out.push('/// The all-ASCII entries, lowercase, sorted.');
out.push('pub(crate) static ASCII_TLDS: &[&str] = &[');
for (const t of ascii) out.push('    ' + JSON.stringify(t) + ',');
out.push('];');
out.push('');
out.push('/// The other entries in case-insensitive canonical form (simple upper case,');
out.push('/// as ECMAScript compares under the `i` flag) with their rank in');
out.push("/// twitter-text's alternation, sorted by form.");
out.push('pub(crate) static OTHER_TLDS: &[(&str, u16)] = &[');
for (const [t, r] of other) out.push(`    (${JSON.stringify(t)}, ${r}),`);
out.push('];');
console.log(out.join('\n'));
