// Verifies security event tokens with jose, a JOSE library independent of twofold: reads
// {"secret", "issuer", "audience", "tokens": [...]} as JSON on standard input and prints, for each
// token in order, {"header", "payload"} when jose accepts it (HS256 under the secret's UTF-8
// bytes, typ secevent+jwt, that issuer and audience), else {"error"}.
import { jwtVerify } from "jose";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { secret, issuer, audience, tokens } = JSON.parse(input);
const key = new TextEncoder().encode(secret);
const out = [];
for (const token of tokens) {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      typ: "secevent+jwt",
      issuer,
      audience,
    });
    out.push({ header: protectedHeader, payload });
  } catch (e) {
    out.push({ error: `${e.code || e.name}: ${e.message}` });
  }
}
process.stdout.write(JSON.stringify(out));
