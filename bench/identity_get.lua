-- bench/identity_get.lua: wrk script for GET requests whose paths come from a
-- file, one per line (BENCH_PATHS), so that every request asks something else
-- (real birth dates and name prefixes, real INS sampled from the loaded data).
-- Each wrk thread starts at another place in the list and cycles through it.
local paths = {}
local counter = 0
local nthreads = 0

function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
end

function init(args)
  local file = os.getenv("BENCH_PATHS")
  for line in io.lines(file) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("no paths in " .. tostring(file)) end
  counter = (tid or 0) * math.floor(#paths / 2)
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
