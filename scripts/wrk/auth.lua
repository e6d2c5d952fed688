-- wrk script for GET cases: just the secret key of the bench instance.
wrk.headers["Authorization"] = "Bearer sk_test_bench"
