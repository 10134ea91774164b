from django.urls import path, re_path

from mail.webmail.views import (
    absence,
    compose,
    folders,
    junk,
    lists,
    reading,
    receipts,
    rules,
    shared,
    support,
    undo,
    writing_tools,
)

app_name = "mail"

_tools = "(?P<kind>signatures|modeles)"
_message = "boite/<int:mailbox_id>/message/<path:folder>/<int:uid>"
_rules = "boite/<int:mailbox_id>/regles"

urlpatterns = [
    path("", lists.home, name="home"),
    path("ecrire/", compose.compose, name="compose"),
    path("ecrire/sauvegarde/", compose.autosave, name="autosave"),
    path("ecrire/adresses/", compose.addresses, name="addresses"),
    path("a-envoyer/", compose.outbox, name="outbox"),
    path("partages/", shared.mine, name="shared_files"),
    path("partages/<int:shared_id>/revoquer/", shared.revoke, name="revoke_shared_file"),
    re_path(rf"^{_tools}/$", writing_tools.manage, name="writing_tools"),
    re_path(rf"^{_tools}/(?P<item_id>[0-9]+)/$", writing_tools.manage, name="writing_tool_edit"),
    re_path(
        rf"^{_tools}/(?P<item_id>[0-9]+)/supprimer/$",
        writing_tools.delete,
        name="writing_tool_delete",
    ),
    path("a-envoyer/<int:outgoing_id>/annuler/", compose.cancel, name="cancel"),
    path("a-envoyer/<int:outgoing_id>/envoyer/", compose.release, name="send_now"),
    path("boite/<int:mailbox_id>/dossier/<path:folder>/", lists.folder, name="folder"),
    path("boite/<int:mailbox_id>/recherche/", lists.search, name="search"),
    path("boite/<int:mailbox_id>/actions/", lists.act, name="act"),
    path("boite/<int:mailbox_id>/annuler/", undo.undo_move, name="undo"),
    path("boite/<int:mailbox_id>/dossiers/", folders.manage, name="folders"),
    path(
        "boite/<int:mailbox_id>/dossiers/<path:folder>/modifier/", folders.edit, name="folder_edit"
    ),
    path("boite/<int:mailbox_id>/vider/<path:folder>/", folders.empty, name="empty"),
    path("boite/<int:mailbox_id>/expediteurs-surs/", reading.trust_sender, name="trust_sender"),
    path(f"{_message}/corps/", reading.body, name="body"),
    path(f"{_message}/conversation/", reading.conversation, name="conversation"),
    path(f"{_message}/piece/<int:index>/", reading.attachment, name="attachment"),
    path(f"{_message}/source/", reading.source, name="source"),
    path(f"{_message}/entetes/", reading.headers, name="headers"),
    path(f"{_message}/imprimer/", reading.print_view, name="print"),
    path(f"{_message}/accuse-de-lecture/", receipts.answer, name="receipt"),
    # Last: "<folder>/<uid>/" would also match the part URLs above, read as a deeper folder.
    path(f"{_message}/", reading.message, name="message"),
    path("boite/<int:mailbox_id>/hameconnage/", junk.report_phishing, name="report_phishing"),
    path("support/courrier-en-echec/", support.dead_letter_list, name="dead_letters"),
    path(
        "support/courrier-en-echec/<uuid:spool_id>/reessayer/",
        support.dead_letter_retry,
        name="dead_letter_retry",
    ),
    path("image-integree/", reading.inline_part, name="inline_part"),
    path(f"{_rules}/", rules.index, name="rules"),
    path(f"{_rules}/nouvelle/", rules.edit, name="rule_new"),
    path(f"{_rules}/apercu/", rules.live_preview, name="rule_preview"),
    path(f"{_rules}/sieve/", rules.sieve_file, name="rules_sieve"),
    path(f"{_rules}/<int:rule_id>/", rules.edit, name="rule_edit"),
    path(f"{_rules}/<int:rule_id>/supprimer/", rules.delete, name="rule_delete"),
    path(f"{_rules}/<int:rule_id>/ordre/", rules.reorder, name="rule_reorder"),
    path(f"{_rules}/<int:rule_id>/appliquer/", rules.apply_now, name="rule_apply"),
    path(f"{_rules}/executions/<int:run_id>/", rules.run_status, name="rule_run"),
    path(f"{_rules}/executions/<int:run_id>/annuler/", rules.cancel_run, name="rule_run_cancel"),
    path("boite/<int:mailbox_id>/absence/", absence.absence, name="absence"),
    path("boite/<int:mailbox_id>/transfert/", absence.forwardings, name="forwarding"),
    path(
        "boite/<int:mailbox_id>/transfert/<int:forwarding_id>/arreter/",
        absence.stop_forwarding,
        name="stop_forwarding",
    ),
    path("image-distante/", reading.image_proxy, name="image_proxy"),
]
