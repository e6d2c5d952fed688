-- wrk script: a bodiless POST (as Node's SDK sends it: JSON content type, `{}`) in API
-- version 2025-11-10, e.g. minting session tokens with POST /v1/sessions/{id}/tokens
-- (the v1 spec has no such operation).
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer sk_test_bench"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Clerk-API-Version"] = "2025-11-10"
wrk.body = "{}"
