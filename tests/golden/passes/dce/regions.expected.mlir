"skc.workflow"() ({
^bb0(%ok: !skc.bool, %items: !skc.json):
  %a = "ctrl.if"(%ok) ({
    %x = "data.const"() {value = "yes"} : () -> !skc.text
    "ctrl.yield"(%x) : (!skc.text) -> ()
  }, {
    %y = "data.const"() {value = "no"} : () -> !skc.text
    "ctrl.yield"(%y) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text
  %b = "ctrl.if"(%ok) ({
    %w = "tool.file_write"(%items) {effects = ["write:fs:/tmp/items.json"], path = "/tmp/items.json"} : (!skc.json) -> !skc.token
    %t = "data.const"() {value = "written"} : () -> !skc.text
    "ctrl.yield"(%t) : (!skc.text) -> ()
  }, {
    %f = "data.const"() {value = "skipped"} : () -> !skc.text
    "ctrl.yield"(%f) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text
  %count = "data.count"(%items) : (!skc.json) -> !skc.num
  "ctrl.return"(%a, %count) : (!skc.text, !skc.num) -> ()
}) {arg_names = ["ok", "items"], sym_name = "dce_regions"} : () -> ()
