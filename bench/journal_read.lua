-- GET a random patient's latest 50 notes (bench/journal.sh sets PATIENTS).
local n = tonumber(os.getenv("PATIENTS") or "1000")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/patients/" .. math.random(1, n) .. "/notes?limit=50")
end
