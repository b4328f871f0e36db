-- POST a ~300-byte note to a random patient (bench/journal.sh sets PATIENTS).
local n = tonumber(os.getenv("PATIENTS") or "1000")
math.randomseed(os.time() + 7)
local text = string.rep("Passage infirmier : pansement refait, tension stable, repas pris. ", 4)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local body = '{"type":"OBS","text":"' .. text .. '"}'
  return wrk.format("POST", "/api/patients/" .. math.random(1, n) .. "/notes", nil, body)
end
