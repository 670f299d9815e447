// Stripe Elements on the payment page: the card form is Stripe's own frame; this file only starts it and
// confirms the payment. Everything it needs is in the form's data attributes (no inline script).
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.publishableKey, { locale: form.dataset.locale });
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create("payment").mount("#payment-element");
  var error = document.getElementById("payment-error");
  var button = document.getElementById("pay");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
      .then(function (result) {
        if (result.error) { error.textContent = result.error.message; button.disabled = false; }
      });
  });
})();
