// Prints an RS256 JWT bearer assertion (RFC 7523) for bench/run.sh's JWT bearer scenario.
// No jti (so the same assertion may be replayed, as Salesforce allows) and no iat; exp in 1 hour.
//   node assertion.mjs KEY.pem CONSUMER_KEY USERNAME AUDIENCE
import { readFileSync } from 'node:fs';
import { sign } from 'node:crypto';

const [keyFile, iss, sub, aud] = process.argv.slice(2);
const b64u = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const input = `${b64u({ alg: 'RS256', typ: 'JWT' })}.${b64u({ iss, sub, aud, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
const sig = sign('sha256', Buffer.from(input), readFileSync(keyFile)).toString('base64url');
process.stdout.write(`${input}.${sig}\n`);
