// Small helpers of scripts/k8s/apiserver.sh in Node (always on our machines; curl and openssl
// may not be on a bare one).
//   keys DIR                 write DIR/sa.key and DIR/sa.pub (RSA 2048): the service-account signing pair
//   token                    print a random token (64 hex digits)
//   get URL [TOKEN_FILE]     GET (TLS unchecked: the server's self-signed loopback certificate);
//                            print the body, exit 0 on a 2xx answer, 1 otherwise
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const [command, ...args] = process.argv.slice(2);
if (command === 'keys') {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  writeFileSync(`${args[0]}/sa.key`, privateKey, { mode: 0o600 });
  writeFileSync(`${args[0]}/sa.pub`, publicKey);
} else if (command === 'token') {
  console.log(randomBytes(32).toString('hex'));
} else if (command === 'get') {
  const url = new URL(args[0]);
  const headers = args[1] ? { authorization: `Bearer ${readFileSync(args[1], 'utf8').trim()}` } : {};
  const client = url.protocol === 'https:' ? https : http;
  const req = client.get(url, { headers, rejectUnauthorized: false, timeout: 5000 }, (res) => {
    let body = '';
    res.on('data', (chunk) => (body += chunk));
    res.on('end', () => {
      process.stdout.write(body);
      process.exit(res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1);
    });
  });
  req.on('timeout', () => req.destroy());
  req.on('error', () => process.exit(1));
} else {
  console.error('usage: local-cluster.mjs keys DIR | token | get URL [TOKEN_FILE]');
  process.exit(2);
}
