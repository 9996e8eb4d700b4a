"skc.workflow"() ({
^bb0(%region: !skc.text, %since: !skc.text):
  %deploys = "tool.sql"(%region) {db = "incidents", effects = ["read:db:incidents"], query = "SELECT id, service, started_at FROM deploys WHERE region = {0} AND status <> 'rolled_back' ORDER BY started_at DESC LIMIT 20"} : (!skc.text) -> !skc.table loc("runbooks/HighErrorRate.md":11:1)
  %rate = "tool.sql"(%region) {db = "prometheus", effects = ["net:prometheus"], lang = "promql", query = "sum(rate(http_requests_total{code=~\"5..\",region=\"{0}\"}[5m])) / sum(rate(http_requests_total{region=\"{0}\"}[5m]))"} : (!skc.text) -> !skc.num loc("runbooks/HighErrorRate.md":17:1)
  %traces = "tool.sql"(%since) {db = "appinsights", effects = ["net:azure"], lang = "kql", query = "requests | where timestamp > ago({0}) | where success == false | summarize count() by operation_Name"} : (!skc.text) -> !skc.table loc("runbooks/HighErrorRate.md":23:1)
  %health = "tool.http"() {effects = ["net:http"], headers = {Accept = "application/json", "X-Request-Id" = "skc-runbook"}, method = "GET", timeout_s = 2.5 : f64, url = "http://127.0.0.1:8080/healthz"} : () -> !skc.json loc("runbooks/HighErrorRate.md":29:1)
  %silence = "tool.http"(%region) {body = "{\"matchers\":[{\"name\":\"region\",\"value\":\"{0}\"}],\"comment\":\"skc: investigating\"}", effects = ["net:alertmanager"], method = "POST", url = "http://alertmanager:9093/api/v2/silences"} : (!skc.text) -> !skc.json loc("runbooks/HighErrorRate.md":33:1)
  %ratio = "tool.python"(%deploys, %rate) {code = "rows = args[0]\nresult = args[1] / max(len(rows), 1)", effects = ["pure"]} : (!skc.table, !skc.num) -> !skc.num loc("runbooks/HighErrorRate.md":40:1)
  %rollback = "tool.script"(%region) {args = ["--region", "{0}", "--dry-run"], effects = ["write:k8s", "net:http"], interpreter = "bash", path = "scripts/rollback.sh", timeout_s = 600 : i64} : (!skc.text) -> !skc.text loc("runbooks/HighErrorRate.md":46:1)
  %config = "tool.file_read"() {effects = ["read:fs:/etc/app/config.yaml"], path = "/etc/app/config.yaml"} : () -> !skc.file loc("runbooks/HighErrorRate.md":51:1)
  %written = "tool.file_write"(%rollback, %silence) {append = true, effects = ["write:fs:/tmp/report.md"], path = "/tmp/report.md"} : (!skc.text, !skc.json) -> !skc.token loc("runbooks/HighErrorRate.md":55:1)
  %report = "tool.file_read"(%written) {effects = ["read:fs:/tmp/report.md"], path = "/tmp/report.md"} : (!skc.token) -> !skc.text loc("runbooks/HighErrorRate.md":58:1)
  "ctrl.return"(%ratio, %health, %traces, %config, %report) : (!skc.num, !skc.json, !skc.table, !skc.file, !skc.text) -> ()
}) {arg_names = ["region", "since"], source = "runbooks/HighErrorRate.md", sym_name = "high_error_rate"} : () -> ()
