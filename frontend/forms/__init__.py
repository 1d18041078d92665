"""The pages' forms: the GOV.UK kit (`kit`), then one module per domain. Import a form from
its own module (`from frontend.forms.people import PersonRegisterForm`)."""
