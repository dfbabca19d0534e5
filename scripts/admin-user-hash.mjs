#!/usr/bin/env node
// One ADMIN_CONSOLE_USERS entry, `name:role[+role]:<argon2id hash>`, for the password read from
// stdin (never from the command line, where ps and shell history would show it):
//   printf '%s' "$PASSWORD" | node scripts/admin-user-hash.mjs alice admin+manager
// Join several entries with ';'. scripts/infra.sh uses it for the first-run user `admin`.
import { hash } from '@node-rs/argon2';
import { tsImport } from 'tsx/esm/api';

// The apps' own rule for X-Holdfast-Actor (the console sends the user's name there), read from
// shared's source so this script and apps/admin's parseUsers can never disagree.
const { isActorName } = await tsImport('../shared/src/invocation-guard.ts', import.meta.url);

const [name, roles] = process.argv.slice(2);
if (!name || !roles || !isActorName(name) || !/^(admin|manager)(\+(admin|manager))?$/.test(roles)) {
  console.error('usage: node scripts/admin-user-hash.mjs <name> <admin|manager|admin+manager>  (the password on stdin)');
  console.error("  a name is 1-100 ASCII letters, digits, inner spaces and _ . @ + ' -, starting with a letter or digit (what the apps accept as X-Holdfast-Actor)");
  process.exit(2);
}
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
// A trailing newline (echo, a here-string) is not part of the password.
const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
if (password.length < 8) {
  console.error('the password (stdin) must have at least 8 characters');
  process.exit(2);
}
// argon2id with @node-rs/argon2's defaults (m=19456 KiB, t=2, p=1: OWASP's minimum for argon2id).
process.stdout.write(`${name}:${roles}:${await hash(password)}\n`);
