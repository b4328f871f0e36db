-- bench/identity_post.lua: wrk script for POST /api/patients with request
-- bodies from a file, one JSON object per line (BENCH_BODIES, written by
-- `parcours synth --jsonl`). The threads share the file out (line i goes to
-- thread i mod BENCH_WRK_THREADS) so that no body is sent twice unless the
-- file runs out — then creations turn into 409 duplicates, counted as non-2xx.
local bodies = {}
local counter = 0
local nthreads = 0

function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
end

function init(args)
  local nt = tonumber(os.getenv("BENCH_WRK_THREADS") or "2")
  local n = 0
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    if n % nt == (tid or 0) then bodies[#bodies + 1] = line end
    n = n + 1
  end
  if #bodies == 0 then error("no bodies") end
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/api/patients", nil, bodies[((counter - 1) % #bodies) + 1])
end
