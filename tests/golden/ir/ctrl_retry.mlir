"skc.workflow"() ({
^bb0(%url: !skc.text, %svc: !skc.text):
  %ready = "ctrl.retry"(%url) ({
    %0 = "tool.http"(%url) {effects = ["net:http"], timeout_s = 5 : i64, url = "{0}/readyz"} : (!skc.text) -> !skc.json loc("runbooks/ServiceUnavailable.md":9:3)
    %1 = "data.json_get"(%0) {path = "$.status"} : (!skc.json) -> !skc.text
    "ctrl.yield"(%1) : (!skc.text) -> ()
  }) {backoff_s = 0.5 : f64, max_attempts = 5 : i64} : (!skc.text) -> !skc.text loc("runbooks/ServiceUnavailable.md":8:1)
  %restart:2 = "ctrl.retry"() ({
    %out:2 = "tool.shell"(%svc) {argv = ["systemctl", "restart", "{0}"], confirm = true, effects = ["write:systemd"]} : (!skc.text) -> (!skc.text, !skc.token) loc("runbooks/ServiceUnavailable.md":14:3)
    %2 = "tool.shell"(%svc, %out#1) {argv = ["systemctl", "is-active", "{0}"], effects = ["read:systemd"]} : (!skc.text, !skc.token) -> !skc.text
    "ctrl.yield"(%2, %out#1) : (!skc.text, !skc.token) -> ()
  }) {max_attempts = 3 : i64} : () -> (!skc.text, !skc.token) loc("runbooks/ServiceUnavailable.md":13:1)
  %journal = "tool.shell"(%svc, %restart#1) {argv = ["journalctl", "-u", "{0}", "-n", "50", "--no-pager"], effects = ["read:systemd"]} : (!skc.text, !skc.token) -> !skc.text loc("runbooks/ServiceUnavailable.md":19:1)
  "ctrl.return"(%ready, %restart#0, %journal) : (!skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["url", "svc"], sym_name = "service_unavailable"} : () -> ()
