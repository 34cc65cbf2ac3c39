-- wrk script: each request asks /v1/lookup for another point inside Sweden, read from the
-- file named by WRK_POINTS (one "lon lat" per line, made by bench/http.sh), so no response
-- is answered from a cache keyed by URL.
local points = {}
local counter = 0

init = function(args)
  local path = os.getenv("WRK_POINTS") or "bench/results/points.txt"
  for line in io.lines(path) do
    local lon, lat = line:match("([^ ]+) ([^ ]+)")
    points[#points + 1] = { lon, lat }
  end
  -- Threads start at different places in the list.
  counter = math.random(#points)
end

request = function()
  counter = counter % #points + 1
  local p = points[counter]
  return wrk.format("GET", "/v1/lookup?lon=" .. p[1] .. "&lat=" .. p[2])
end
