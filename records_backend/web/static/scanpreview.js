/* Digitizing: show the register page scan the officer picked beside the form. */
(function () {
  "use strict";
  var input = document.getElementById("scan-file");
  var img = document.getElementById("scan-preview");
  if (!input || !img) { return; }
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file) { img.hidden = true; return; }
    if (img.src) { URL.revokeObjectURL(img.src); }
    img.src = URL.createObjectURL(file);
    img.hidden = false;
  });
}());
