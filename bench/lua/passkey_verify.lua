-- passkey_verify.lua: challenge create + passkey assertion round trips, as verify.lua does with
-- codes. wrk's Lua cannot sign, so the assertion is made here as an authenticator would, through
-- LuaJIT's FFI to OpenSSL's libcrypto (which wrk itself links): authenticator data (the RP id's
-- SHA-256, flags UP and UV, a signature counter that grows), the client data JSON a browser
-- writes for the challenge, and an ES256 signature over authData || SHA-256(clientDataJSON) with
-- the credential's P-256 key, which bench/run generated and enrolled (passkeys.txt, SEC1 DER in
-- hex). The signing runs in request(), before wrk starts the request's clock; its CPU is wrk's,
-- which bench/run reports beside the server's.
package.path = os.getenv("BENCH_DIR") .. "/lua/?.lua;" .. package.path
local common = require("common")
local ffi = require("ffi")
local tokens, free, by_factor, pending
local rp_hash, origin
local EVP_PKEY_EC = 408  -- NID_X9_62_id_ecPublicKey
local crypto, md_ctx, sig_buf, sig_len, digest, b64_buf
setup = common.setup
done = common.done
delay = common.delay

ffi.cdef [[
typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_md_st EVP_MD;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;
typedef struct engine_st ENGINE;
EVP_PKEY *d2i_PrivateKey(int type, EVP_PKEY **a, const unsigned char **pp, long length);
const EVP_MD *EVP_sha256(void);
EVP_MD_CTX *EVP_MD_CTX_new(void);
int EVP_MD_CTX_reset(EVP_MD_CTX *ctx);
int EVP_DigestSignInit(EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const EVP_MD *type, ENGINE *e, EVP_PKEY *pkey);
int EVP_DigestSign(EVP_MD_CTX *ctx, unsigned char *sig, size_t *siglen, const unsigned char *tbs, size_t tbslen);
unsigned char *SHA256(const unsigned char *d, size_t n, unsigned char *md);
int EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n);
]]

local function unhex(s)
  return (s:gsub("..", function(c) return string.char(tonumber(c, 16)) end))
end

local function sha256(s)
  crypto.SHA256(s, #s, digest)
  return ffi.string(digest, 32)
end

local b64url_map = {["+"] = "-", ["/"] = "_", ["="] = ""}
local function b64url(s)
  local n = crypto.EVP_EncodeBlock(b64_buf, s, #s)
  return (ffi.string(b64_buf, n):gsub("[+/=]", b64url_map))
end

local function sign(key, data)
  crypto.EVP_MD_CTX_reset(md_ctx)
  sig_len[0] = 80
  if crypto.EVP_DigestSignInit(md_ctx, nil, crypto.EVP_sha256(), nil, key) ~= 1 or
      crypto.EVP_DigestSign(md_ctx, sig_buf, sig_len, data, #data) ~= 1 then
    error("EVP_DigestSign failed")
  end
  return ffi.string(sig_buf, sig_len[0])
end

function init(args)
  crypto = ffi.load("libcrypto.so.3")
  md_ctx = crypto.EVP_MD_CTX_new()
  sig_buf, sig_len = ffi.new("unsigned char[80]"), ffi.new("size_t[1]")
  digest, b64_buf = ffi.new("unsigned char[32]"), ffi.new("unsigned char[1024]")
  local rp = common.read_lines(os.getenv("BENCH_DATA") .. "/passkey_rp.txt")[1]  -- rp_id origin
  rp_hash, origin = sha256(rp[1]), rp[2]
  -- api_key token factor_id credential_id user_handle key (SEC1 ECPrivateKey DER, hex)
  local data = common.read_lines(os.getenv("BENCH_DATA") .. "/passkeys.txt")
  tokens = common.share(data, thread_id, tonumber(os.getenv("BENCH_THREADS")))
  free, by_factor, pending = {}, {}, {}
  for idx, rec in ipairs(tokens) do
    local der = unhex(rec[6])
    local p = ffi.new("const unsigned char *[1]", ffi.cast("const unsigned char *", der))
    rec.key = crypto.d2i_PrivateKey(EVP_PKEY_EC, nil, p, #der)  -- a copy, kept for the thread's life
    assert(rec.key ~= nil, "passkeys.txt: a key libcrypto cannot read")
    -- the signature counter must grow across wrk runs too: each run starts 2^16 higher
    rec.count = tonumber(os.getenv("BENCH_WRK_RUN")) * 65536
    free[#free + 1] = idx
    by_factor[rec[3]] = idx
  end
  verified = 0
end

local function headers(rec)
  return {["Content-Type"] = "application/json", ["api-key"] = rec[1], ["Authorization"] = "Bearer " .. rec[2]}
end

-- AuthenticationResponseJSON for the challenge, as a browser's credential.toJSON() writes it
local function assertion(rec, challenge)
  rec.count = rec.count + 1
  local c = rec.count
  local auth = rp_hash .. "\5" .. string.char(bit.band(bit.rshift(c, 24), 255), bit.band(bit.rshift(c, 16), 255),
    bit.band(bit.rshift(c, 8), 255), bit.band(c, 255))
  local cd = '{"type":"webauthn.get","challenge":"' .. challenge .. '","origin":"' .. origin .. '","crossOrigin":false}'
  local sig = sign(rec.key, auth .. sha256(cd))
  return '{"credential":{"id":"' .. rec[4] .. '","rawId":"' .. rec[4] ..
      '","type":"public-key","clientExtensionResults":{},"response":{"clientDataJSON":"' .. b64url(cd) ..
      '","authenticatorData":"' .. b64url(auth) .. '","signature":"' .. b64url(sig) ..
      '","userHandle":"' .. rec[5] .. '"}}}'
end

function request()
  if #pending > 0 then
    local p = table.remove(pending, 1)
    local rec = tokens[p.idx]
    return wrk.format("POST", "/v1/challenges/" .. p.cid .. "/verify", headers(rec), assertion(rec, p.challenge))
  end
  local idx = table.remove(free) or math.random(#tokens)
  local rec = tokens[idx]
  return wrk.format("POST", "/v1/challenges", headers(rec), '{"purpose":"stepup","factor_id":"' .. rec[3] .. '"}')
end

function response(status, headers, body)
  local factor = body:match('"factor_id":"([%w_]+)"')
  local idx = factor and by_factor[factor]
  if status == 201 and idx then
    pending[#pending + 1] = {cid = body:match('"challenge_id":"([%w_]+)"'), challenge = body:match('"challenge":"([%w_%-]+)"'),
                             idx = idx}
  elseif status == 200 and idx then
    verified = verified + 1
    free[#free + 1] = idx
  else
    errors = (errors or 0) + 1
  end
end
