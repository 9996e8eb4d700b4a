"skc.workflow"() ({
^bb0(%svc.name$v2-x: !skc.text):
  %0 = "data.const"() {value = "Gr\C3\BC\C3\9Fe aus K\C3\B6ln \E2\80\94 \E6\97\A5\E6\9C\AC\E8\AA\9E \F0\9F\9A\92"} : () -> !skc.text loc("runbooks/\E6\97\A5\E6\9C\AC/\C3\9Cbersicht.md":3:7)
  %1 = "data.const"() {value = "she said \"restart it\" and left"} : () -> !skc.text
  %2 = "data.const"() {value = "C:\\Program Files\\skc\\bin"} : () -> !skc.text
  %3 = "data.const"() {value = "line one\nline two\n\ttabbed\0D\n\00end\7F"} : () -> !skc.text
  %4 = "data.const"() {value = {"key with spaces" = "v", plain_key = "p", "quote\"key" = "q", "\E2\9C\93" = "ok"}} : () -> !skc.json
  %5 = "data.template"(%0, %1, %2, %svc.name$v2-x) {template = "{3}: {0} / {1} / {2} \E2\9C\93"} : (!skc.text, !skc.text, !skc.text, !skc.text) -> !skc.text loc("a \"quoted\" path\\with\\backslashes.md":1:1)
  %6 = "llm.decide"(%5) {outcomes = ["\E2\9C\85 ja", "\E2\9D\8C nein", "\F0\9F\A4\B7 wei\C3\9F nicht"], prompt = "Ist der Dienst gest\C3\B6rt? Antworte mit \"ja\" oder \"nein\"."} : (!skc.text) -> !skc.text
  %7 = "data.concat"(%3, %6) {sep = ""} : (!skc.text, !skc.text) -> !skc.text
  "ctrl.return"(%7, %4) : (!skc.text, !skc.json) -> ()
}) {sym_name = "strings"} : () -> ()
