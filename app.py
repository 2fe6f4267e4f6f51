"""Appointments at Türkiye's Migration Directorates: the table of contents of the service.

Each line binds a route, an event or a schedule to the endpoint or use case that serves it;
everything else lives in `chalicelib/` (endpoints in `chalicelib/api`, use cases in
`chalicelib/services`, rules in `chalicelib/domain`, AWS adapters in `chalicelib/adapters`).
"""

from chalice import Chalice

from chalicelib.api import accounts, admin, assignment, assisted, booking, catalogue, corrections, mfa, my_data, profile, receipts, staff
from chalicelib.api import statistics as public_statistics
from chalicelib.api import privacy_notice as privacy_api
from chalicelib.api.http import HttpApi
from chalicelib.services import availability
from chalicelib.services import statistics
from chalicelib.services import assignment as assigner
from chalicelib.services import auth
from chalicelib.services import email_feedback, fanout, giving_back, kept_back, notifications, outbox
from chalicelib.services import retention
from chalicelib.services import signup as sign_ups
from chalicelib.resources import assignments_queue_name, batch_jobs_queue_name, email_feedback_topic_name, notifications_queue_name, stream_arn
from chalicelib.settings import get_settings
from chalicelib.web import admin as web_admin
from chalicelib.web import assisted as web_assisted
from chalicelib.web import common, console, edevlet, pages
from chalicelib.web import statistics as web_statistics
from chalicelib.web import notification_language as web_language
from chalicelib.web import privacy as web_privacy
from chalicelib.web import corrections as web_corrections
from chalicelib.web import my_data as web_my_data
from chalicelib.web import receipts as web_receipts
from chalicelib.web import second_factor as web_second_factor
from chalicelib.web.frame import Portal
from chalicelib.web.render import stylesheet

app = Chalice(app_name="md-appointments")
api = HttpApi(app, authenticate=auth.authenticate)

# Public
api.get("/v1/health", catalogue.health)
api.get("/v1/openapi.json", api.openapi(title="Migration Directorate appointments", version="1.1.0"))
api.get("/v1/provinces", catalogue.provinces)
api.get("/v1/directorates", catalogue.directorates)
api.get("/v1/services", catalogue.services)
api.get("/v1/statistics", public_statistics.public_statistics)

# Accounts
api.post("/v1/auth/signup", accounts.signup)
api.post("/v1/auth/confirm", accounts.confirm)
api.post("/v1/auth/resend-code", accounts.resend_code)
api.post("/v1/auth/login", accounts.login)
api.post("/v1/auth/mfa", mfa.answer_challenge)
api.post("/v1/auth/forgot-password", accounts.forgot_password)
api.post("/v1/auth/reset-password", accounts.reset_password)
api.post("/v1/auth/sign-out-everywhere", accounts.sign_out_everywhere)

# Applicant
api.get("/v1/me", profile.me)
api.patch("/v1/me", profile.amend_me)
api.put("/v1/me/language", profile.change_language)
api.get("/v1/me/appointments", booking.my_appointments)
api.get("/v1/me/dependants", booking.my_dependants)
api.get("/v1/availability", booking.availability)
api.post("/v1/appointments", booking.book)
api.get("/v1/appointments/{appointment_id}", booking.get_appointment)
api.delete("/v1/appointments/{appointment_id}", booking.cancel_appointment)
api.patch("/v1/appointments/{appointment_id}", booking.change_appointment)
api.get("/v1/appointments/{appointment_id}/receipt.pdf", receipts.receipt_pdf)
api.post("/v1/assignment-requests", assignment.request_assignment)
api.get("/v1/assignment-requests/{request_id}", assignment.get_assignment_request)
api.delete("/v1/assignment-requests/{request_id}", assignment.withdraw_assignment_request)
api.post("/v1/appointments/{appointment_id}/release", corrections.give_back)

# My data and account closure (issue 14: KVKK access and closure)
api.get("/v1/me/data", my_data.my_data_export)
api.delete("/v1/me", my_data.close_my_account)

# The privacy notice (KVKK article 10): read it, and record that it was shown
api.get("/v1/privacy-notice", privacy_api.read_notice)
api.put("/v1/me/privacy-notice", privacy_api.acknowledge_notice)

# Staff
api.post("/v1/staff/applicants/search", staff.find_applicant)
api.get("/v1/staff/applicants/{applicant_id}", staff.get_applicant)
api.patch("/v1/staff/applicants/{applicant_id}", staff.amend_applicant)
api.get("/v1/staff/applicants/{applicant_id}/audit", staff.applicant_audit)
api.post("/v1/staff/applicants/{applicant_id}/release", staff.release_applicant)
api.post("/v1/staff/appointments/{appointment_id}/attendance", staff.record_attendance)
api.post("/v1/staff/appointments/{appointment_id}/follow-up", corrections.issue_follow_up)
api.put("/v1/staff/applicants/{applicant_id}/lock", corrections.change_lock)
api.post("/v1/staff/directorates/{directorate_id}/closures", assignment.close_day)
api.post("/v1/staff/receipts/verify", receipts.verify_receipt)
api.post("/v1/staff/appointments", assisted.book)

# Admin
api.post("/v1/admin/residents", admin.import_residents)
api.post("/v1/admin/staff", admin.create_staff)
api.post("/v1/admin/staff/{account_id}/disable", admin.disable_staff)
api.put("/v1/admin/directorates/{directorate_id}/slots/{start}/capacity", admin.set_slot_capacity)
api.put("/v1/admin/directorates/{directorate_id}/services/{service_code}/mode", assignment.set_demand_mode)

# The applicant portal (HTML, rendered on the server, works without JavaScript)
portal = Portal(app, authenticate=auth.authenticate, secure_cookies=lambda: get_settings().web_secure_cookies)
portal.error_page = common.error_page
portal.asset("/static/app.css", stylesheet, "text/css; charset=utf-8")
portal.page("/", pages.start)
portal.page("/statistics", web_statistics.page)
portal.page("/sign-up", pages.sign_up, methods=("GET", "POST"))
portal.page("/sign-up/code", pages.confirm_code, methods=("GET", "POST"))
portal.page("/sign-in", pages.sign_in, methods=("GET", "POST"))
portal.page("/sign-in/code", web_second_factor.code, methods=("GET", "POST"))
portal.page("/sign-in/e-devlet", edevlet.start)
portal.page("/sign-in/e-devlet/callback", edevlet.callback)
portal.page("/sign-in/e-devlet/contact", edevlet.contact, methods=("GET", "POST"))
portal.page("/sign-in/e-devlet/phone-code", edevlet.phone_code, methods=("GET", "POST"))
portal.page("/sign-in/e-devlet/email-code", edevlet.email_code, methods=("GET", "POST"))
portal.page("/password/forgot", pages.forgot_password, methods=("GET", "POST"))
portal.page("/password/reset", pages.reset_password, methods=("GET", "POST"))
portal.page("/sign-out", pages.sign_out, methods=("POST",))
portal.page("/sign-out/everywhere", pages.sign_out_everywhere, methods=("POST",))
portal.page("/me", pages.me)
portal.page("/me/language", web_language.change, methods=("POST",))
# My data and account closure (issue 14: KVKK access and closure)
portal.page("/me/data", web_my_data.summary)
portal.page("/me/data.json", web_my_data.download)
portal.page("/me/close", web_my_data.close, methods=("GET", "POST"))
portal.page("/appointments", pages.my_appointments)
portal.page("/appointments/{appointment_id}", pages.appointment)
portal.page("/appointments/{appointment_id}/invite.ics", pages.invitation)
portal.page("/appointments/{appointment_id}/give-back", web_corrections.give_back, methods=("GET", "POST"))
portal.page("/appointments/{appointment_id}/receipt.pdf", web_receipts.receipt_pdf)
portal.page("/book", pages.choose_service)
portal.page("/book/directorate", pages.choose_directorate)
portal.page("/book/day", pages.choose_day)
portal.page("/book/time", pages.choose_time)
portal.page("/book/request", pages.request_assignment, methods=("POST",))
portal.page("/requests/{request_id}", pages.assignment_status, methods=("GET", "POST"))
portal.page("/staff", console.staff_day)
portal.page("/staff/appointments/{appointment_id}/attendance", console.staff_attendance, methods=("POST",))
portal.page("/staff/closure", console.staff_closure, methods=("GET", "POST"))
portal.page("/staff/appointments/{appointment_id}", web_corrections.staff_appointment)
portal.page("/staff/appointments/{appointment_id}/correction", web_corrections.staff_correct, methods=("POST",))
portal.page("/staff/appointments/{appointment_id}/follow-up", web_corrections.staff_follow_up, methods=("POST",))
portal.page("/staff/appointments/{appointment_id}/lock", web_corrections.staff_lock, methods=("POST",))
portal.page("/staff/applicants", console.staff_find_applicant, methods=("GET", "POST"))
portal.page("/staff/applicants/{applicant_id}", console.staff_applicant, methods=("GET", "POST"))
portal.page("/staff/applicants/{applicant_id}/release", console.staff_release, methods=("GET", "POST"))
portal.page("/staff/receipts", web_receipts.check_receipt, methods=("GET", "POST"))
portal.page("/book/check", pages.check_answers, methods=("GET", "POST"))
portal.page("/assisted", web_assisted.find, methods=("GET", "POST"))
portal.page("/assisted/slots", web_assisted.slots, methods=("GET", "POST"))
portal.page("/assisted/book", web_assisted.book, methods=("GET", "POST"))
portal.page("/admin", web_admin.home)
portal.page("/admin/directorates/{directorate_id}", web_admin.directorate)
portal.page("/admin/directorates/{directorate_id}/mode", web_admin.mode, methods=("GET", "POST"))
portal.page("/admin/directorates/{directorate_id}/capacity", web_admin.capacity, methods=("GET", "POST"))
portal.page("/admin/directorates/{directorate_id}/staff", web_admin.create_staff, methods=("POST",))
portal.page("/admin/directorates/{directorate_id}/kept-back", web_admin.kept_back_share, methods=("GET", "POST"))

# The privacy notice (KVKK article 10): the public page, and a new version shown once after sign-in
portal.page("/privacy", web_privacy.page)
portal.page("/privacy/updated", web_privacy.updated, methods=("GET", "POST"))


# Events: a piece of a batch job (one directorate's share, bounded; partial batch failures reported).
@app.on_sqs_message(queue=batch_jobs_queue_name(), batch_size=10)
def run_batch_jobs(event):
    return fanout.handle_queue_batch(event.to_dict(), event.context)


# Events: deliver the SMS and email owed for appointments (partial batch failures reported).
@app.on_sqs_message(queue=notifications_queue_name(), batch_size=10)
def deliver_notifications(event):
    return notifications.handle_queue_batch(event.to_dict(), event.context)


# Events: each notification written (the outbox) goes on the notifications queue.
@app.on_dynamodb_record(stream_arn=stream_arn("notifications"), batch_size=100)
def queue_notifications(event):
    return outbox.handle_stream_batch(event.to_dict(), event.context)


# Events: serve a province's due assignment requests (a window closed, or a re-drive).
@app.on_sqs_message(queue=assignments_queue_name(), batch_size=10)
def assign_appointments(event):
    return assigner.handle_queue_batch(event.to_dict(), event.context)


# Events: SES's bounces and complaints; the addresses they name are emailed no more.
@app.on_sns_message(topic=email_feedback_topic_name())
def record_email_feedback(event):
    return email_feedback.handle_sns_event(event.to_dict())


# Every minute: send the provinces with due waiting requests to the assigner again.
@app.schedule("rate(1 minute)")
def redrive_assignments(event):
    return assigner.redrive()


# Every 5 minutes: the demand rule re-decides the mode of directorates left on `auto` (fanned out per directorate).
@app.schedule("rate(5 minutes)")
def evaluate_demand(event):
    return fanout.split_demand_evaluation()


# Every 5 minutes: the days whose secret release moment has passed give their unused kept-back places to the public.
@app.schedule("rate(5 minutes)")
def release_kept_back(event):
    return kept_back.release_due()


# 10:00 in Istanbul (07:00 UTC): remind tomorrow's appointments, with a check-in code each (fanned out per directorate).
@app.schedule("cron(0 7 * * ? *)")
def send_reminders(event):
    return fanout.split_reminders()


# Every 5 minutes: re-queue notifications whose queue message was lost.
@app.schedule("rate(5 minutes)")
def requeue_notifications(event):
    return notifications.requeue_undelivered()


# Streams: each change of a slot is folded into the availability summary the public calendar reads.
@app.on_dynamodb_record(stream_arn=stream_arn("slots"), batch_size=1000)
def summarise_availability(event):
    return availability.handle_stream_batch(event.to_dict(), event.context)


# Streams: public statistics count the slots' places and the appointments' outcomes.
@app.on_dynamodb_record(stream_arn=stream_arn("slots"), batch_size=1000)
def count_slot_statistics(event):
    return statistics.handle_slot_batch(event.to_dict(), event.context)


@app.on_dynamodb_record(stream_arn=stream_arn("appointments"), batch_size=1000)
def count_appointment_statistics(event):
    return statistics.handle_appointment_batch(event.to_dict(), event.context)


# Every hour: remove sign-ups whose phone code was not confirmed within 24 hours, and their logins.
@app.schedule("rate(1 hour)")
def remove_lapsed_sign_ups(event):
    return sign_ups.remove_lapsed()


# Schedules: midnight in Istanbul (21:00 UTC), open the day that enters the booking horizon (fanned out per directorate).
@app.schedule("cron(0 21 * * ? *)")
def extend_slot_horizon(event):
    return fanout.split_slot_horizon()


# Every 5 minutes: places given back whose (random, secret) moment has passed return to the pool.
@app.schedule("rate(5 minutes)")
def return_given_back_places(event):
    return giving_back.return_due_places()


# 18:30 in Istanbul (15:30 UTC), after closing: what is still unrecorded today is a no-show (fanned out per directorate).
@app.schedule("cron(30 15 * * ? *)")
def sweep_no_shows(event):
    return fanout.split_no_show_sweep()


# Retention (issue 14): every hour, anonymise what the retention schedule says is due (domain/retention.py), a bounded amount.
@app.schedule("rate(1 hour)")
def apply_retention(event):
    return retention.apply_due(context=event.context)
