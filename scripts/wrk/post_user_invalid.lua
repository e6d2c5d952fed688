-- wrk script: POST /v1/users with a body of the wrong type (first_name must be a string),
-- which the mock rejects from the spec with a 422 before touching any state.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer sk_test_bench"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email_address":["invalid@example.com"],"first_name":42,"skip_password_requirement":true}'
