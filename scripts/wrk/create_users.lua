-- wrk script: creates exactly N users with POST /v1/users (a new user each), spread in turn over
-- INSTANCES instances, then stops. Used by scripts/bench.sh to fill a server to a fixed count.
--
--   wrk -t T -c C -d 900s -s scripts/wrk/create_users.lua URL -- N INSTANCES KEY T MARKER
--
-- With INSTANCES = 1 every request uses the secret key KEY; with more, request i uses
-- KEY .. (i % INSTANCES), so the first INSTANCES requests each create an instance. Thread t
-- (0-based) sends the requests i = t, t + T, t + 2T, … below N; once its share is sent, its
-- connections still waiting for work send a pad, `GET /v1/bench-pad` (no such path: answered 404
-- by the router, no state touched), so no more than N users are ever created, and the thread
-- stops when its last create is answered, writing `CREATED FAILED` (failed: creates answered
-- with anything but 200) to the file MARKER<t>. wrk itself runs until -d is over or it gets
-- SIGINT: bench.sh (scripts/lib/fill.sh) sends it once every thread wrote its file.
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local total, instances, key, nthreads, marker
local next_index, share, created, failed = 0, 0, 0, 0
local pad, finished = nil, false

local function finish()
  finished = true
  local f = io.open(marker .. tid, "w")
  f:write(string.format("%d %d\n", created, failed))
  f:close()
  wrk.thread:stop()
end

function init(args)
  total = tonumber(args[1])
  instances = tonumber(args[2]) or 1
  key = args[3] or "sk_test_bench"
  nthreads = tonumber(args[4]) or 1
  marker = args[5] or "/tmp/create_users.done."
  next_index = tid
  share = 0
  if tid < total then
    share = math.floor((total - 1 - tid) / nthreads) + 1
  end
  pad = wrk.format("GET", "/v1/bench-pad", {["Authorization"] = "Bearer " .. key .. (instances > 1 and "0" or "")})
end

-- wrk calls request() once in thread 0 before the run to check the script's first request
-- (script_verify_request) and never sends it: that call gets a pad, so no index is lost.
local verified = false

function request()
  if tid == 0 and not verified then
    verified = true
    return pad
  end
  if next_index >= total then
    return pad
  end
  local i = next_index
  next_index = next_index + nthreads
  local instance = i % instances
  local user = math.floor(i / instances)
  local secret = key
  if instances > 1 then
    secret = key .. instance
  end
  local body = string.format(
    '{"email_address":["load-%d-%d@example.com"],"first_name":"Load","last_name":"User %d",' ..
    '"external_id":"load-%d-%d","public_metadata":{"source":"wrk"},"skip_password_requirement":true}',
    instance, user, user, instance, user)
  return wrk.format("POST", "/v1/users", {
    ["Authorization"] = "Bearer " .. secret,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  if status == 200 then
    created = created + 1
  elseif status ~= 404 then -- 404: a pad's answer
    failed = failed + 1
  end
  if created + failed >= share and not finished then
    finish()
  end
end
