/* Progressive enhancement of the form fields of every page (they work without it; see forms.css):
   a file field shows the chosen file's name, a date or month field its value in Chinese. */
(function () {
  "use strict";
  document.querySelectorAll("input.file-input").forEach(function (input) {
    var out = document.getElementById(input.id + "-name");
    input.addEventListener("change", function () {
      var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      if (out) out.textContent = names.length ? "已选择：" + names.join("、") : "未选择文件";
    });
  });
  document.querySelectorAll(".date-pick").forEach(function (box) {
    var input = box.querySelector("input"), out = box.querySelector(".date-shown");
    // a browser without the control shows a text field with its Chinese placeholder instead
    if (!input || !out || (input.type !== "date" && input.type !== "month")) return;
    function show() {
      var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(input.value);
      out.textContent = m ? m[1] + "年" + (+m[2]) + "月" + (m[3] ? (+m[3]) + "日" : "") : box.getAttribute("data-empty");
      box.classList.toggle("empty", !m);
    }
    input.addEventListener("input", show);
    input.addEventListener("change", show);
    show();
    box.classList.add("enhanced");
  });
})();
