/* Progressive enhancement of the public forms (the pages work without it): an ID number is checked
   as it is typed (GB 11643 check digit, birth date), a credit code likewise (GB 32100). */
(function () {
  "use strict";
  var W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], C = "10X98765432";
  function idProblem(v) {
    if (v.length === 0) return "";
    if (!/^\d{17}[\dX]$/.test(v)) return v.length < 18 ? "还差 " + (18 - v.length) + " 位" : "身份证号码应为18位，末位为数字或X";
    var y = +v.substr(6, 4), m = +v.substr(10, 2), d = +v.substr(12, 2), t = new Date(y, m - 1, d);
    if (t.getFullYear() !== y || t.getMonth() !== m - 1 || t.getDate() !== d) return "出生日期不存在";
    var s = 0; for (var i = 0; i < 17; i++) s += (+v[i]) * W[i];
    return C[s % 11] === v[17] ? "" : "校验位不对，请核对号码";
  }
  var A = "0123456789ABCDEFGHJKLMNPQRTUWXY", CW = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  function creditProblem(v) {
    if (v.length === 0) return "";
    if (v.length !== 18) return v.length < 18 ? "还差 " + (18 - v.length) + " 位" : "统一社会信用代码应为18位";
    var s = 0; for (var i = 0; i < 17; i++) { var k = A.indexOf(v[i]); if (k < 0) return "含非法字符"; s += k * CW[i]; }
    return A[(31 - s % 31) % 31] === v[17] ? "" : "校验位不对，请核对代码";
  }
  function wire(input, check) {
    var out = document.getElementById(input.id + "-live");
    input.addEventListener("input", function () {
      var v = input.value.replace(/\s+/g, "").toUpperCase(), p = check(v);
      input.setAttribute("aria-invalid", p && v.length >= 18 ? "true" : "false");
      if (out) out.textContent = v.length === 0 ? "" : (p || "号码格式正确");
    });
  }
  document.querySelectorAll("input[data-check=id]").forEach(function (el) { wire(el, idProblem); });
  document.querySelectorAll("input[data-check=credit]").forEach(function (el) { wire(el, creditProblem); });
  document.querySelectorAll("select[data-toggle]").forEach(function (sel) {
    var target = document.getElementById(sel.getAttribute("data-toggle"));
    function sync() { if (target) target.hidden = sel.value === "resident"; }
    sel.addEventListener("change", sync);
  });
})();
