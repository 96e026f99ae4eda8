// Calculettes: one small form per calculator, posting JSON to /api/v1/calc/<name> with the
// session's CSRF token. Plain JavaScript, no build step.
(function () {
  "use strict";
  var root = document.getElementById("calculators");
  if (!root) { return; }
  var csrf = root.getAttribute("data-csrf");
  var calculators = [
    { name: "seizable-wage", title: "Quotité saisissable sur salaire (C. trav. R3252-2, -3, -5)",
      fields: [["monthly_net", "Salaire net mensuel (€)", "2000,00"], ["dependants", "Personnes à charge", "0"], ["on", "Date", "2025-06-01"]] },
    { name: "unseizable-balance", title: "Solde bancaire insaisissable (CPCE R162-2)",
      fields: [["on", "Date", "2025-06-01"]] },
    { name: "legal-interest", title: "Intérêts au taux légal (C. mon. fin. L313-2, L313-3)",
      fields: [["principal", "Capital (€)", "10000,00"], ["from", "Du", "2025-01-01"], ["to", "Au", "2026-01-01"], ["creditor", "Créancier (other / individual)", "other"], ["judgment_served_on", "Jugement signifié le (facultatif)", ""]] },
    { name: "deadline", title: "Délai de procédure (CPC 641, 642)",
      fields: [["from", "Point de départ", "2026-04-08"], ["months", "Mois", "1"], ["days", "Jours", ""], ["alsace_moselle", "Alsace-Moselle (true/false)", "false"]] },
    { name: "allocate-payment", title: "Imputation d'un paiement (C. civ. 1343-1)",
      fields: [["amount", "Paiement (€)", "300,00"], ["costs", "Frais (€)", "50,00"], ["interest", "Intérêts (€)", "120,00"], ["principal", "Capital (€)", "1000,00"], ["capital_first", "Capital d'abord (true/false)", "false"]] },
    { name: "payment-plan", title: "Échéancier (C. civ. 1343-5)",
      fields: [["debt", "Dette (€)", "4800,00"], ["monthly_capacity", "Capacité mensuelle (€)", "250,00"], ["first_due", "Première échéance", "2026-01-05"], ["max_instalments", "Nombre maximum", "24"], ["annual_rate", "Taux annuel (%)", "0"]] }
  ];
  var numeric = { dependants: true, months: true, days: true, max_instalments: true };
  var booleans = { alsace_moselle: true, capital_first: true };
  calculators.forEach(function (calc) {
    var section = document.createElement("section");
    section.className = "calc";
    var heading = document.createElement("h2");
    heading.textContent = calc.title;
    section.appendChild(heading);
    var form = document.createElement("form");
    form.setAttribute("data-calc", calc.name);
    calc.fields.forEach(function (field) {
      var wrapper = document.createElement("div");
      var id = calc.name + "-" + field[0];
      var label = document.createElement("label");
      label.setAttribute("for", id);
      label.textContent = field[1];
      var input = document.createElement("input");
      input.id = id;
      input.name = field[0];
      input.value = field[2];
      wrapper.appendChild(label);
      wrapper.appendChild(input);
      form.appendChild(wrapper);
    });
    var button = document.createElement("button");
    button.type = "submit";
    button.textContent = "Calculer";
    form.appendChild(button);
    var output = document.createElement("pre");
    output.setAttribute("aria-live", "polite");
    output.id = calc.name + "-result";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      calc.fields.forEach(function (field) {
        var value = form.elements[field[0]].value.trim();
        if (value === "") { return; }
        if (numeric[field[0]]) { body[field[0]] = parseInt(value, 10); }
        else if (booleans[field[0]]) { body[field[0]] = value === "true"; }
        else { body[field[0]] = value.replace(/\s/g, "").replace(",", "."); }
      });
      fetch("/api/v1/calc/" + calc.name, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, json: json }; });
      }).then(function (result) {
        output.className = result.ok ? "" : "error";
        output.textContent = result.ok ? JSON.stringify(result.json, null, 2) : result.json.error;
      });
    });
    section.appendChild(form);
    section.appendChild(output);
    root.appendChild(section);
  });
})();
