-- wrk script: POST /v1/users with a valid body and a unique email address per request
-- (per-thread prefix + per-thread counter), so every request creates a new user.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer sk_test_bench"
wrk.headers["Content-Type"] = "application/json"

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local counter = 0
local prefix
function init(args)
  prefix = string.format("%d-%d", os.time(), tid or 0)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"email_address":["bench-%s-%d@example.com"],"first_name":"Bench","last_name":"User %d",' ..
    '"external_id":"bench-%s-%d","public_metadata":{"source":"wrk"},"skip_password_requirement":true}',
    prefix, counter, counter, prefix, counter)
  return wrk.format(nil, nil, nil, body)
end
