"""Every sentence the front door itself says, in one place so readability checks can find them.

Short sentences, no blame, and the reassurance that answers already given are safe.
"""

# Said in the chat, as if by the bot.
EMPTY_MESSAGE = "I did not get any words. Please type your answer, or choose a button."
TOO_LONG = "That message is too long for me. Please use fewer words. Your answers so far are safe."
RASA_DOWN = "Sorry, I cannot answer just now. Your answers so far are safe. Please try again in a minute."
RASA_SLOW = (
    "Sorry, I am taking too long to answer. Your answers so far are safe. "
    "Please wait a minute. Then type repeat to see the question again."
)
RASA_BROKEN = "Sorry, something went wrong on my side. Your answers so far are safe. Please try again in a minute."

# Said to whoever calls the API (people who build on Steer, and the web page).
NOT_JSON_TYPE = "Please send the request as JSON, with the header Content-Type: application/json."
BAD_JSON = "The request body is not valid JSON. Please check its brackets, quotes and commas."
CHAT_NOT_OBJECT = 'The request body must be a JSON object, like {"sender_id": "a1b2c3", "message": "hello"}.'
SENDER_ID = 'Please give a sender_id of 1 to 64 letters, digits, "_" or "-", like "a1b2c3".'
MESSAGE_NOT_TEXT = 'Please give the message as text in quotes, like "message": "hello".'
SCORE_NOT_OBJECT = 'The request body must be a JSON object, like {"answers": {"washing_dressing": "no_help"}}.'
ANSWERS_NOT_TEXT = (
    'Please give "answers" as an object of question ids and option values, both as text, '
    'like {"answers": {"washing_dressing": "no_help"}}.'
)
NO_ASSESSMENT = "There is no assessment for this sender_id yet. Please check the id, or start a conversation first."
NOT_FOUND = "There is nothing at this address. Please check the address."
METHOD_NOT_ALLOWED = "This address does not take {method} requests. Please use {allowed}."
TOO_LARGE = "The request is too large. Please send less."
BAD_REQUEST = "The request could not be understood. Please check it and try again."
SCORER_NOT_READY = "The budget calculator is not ready yet. Please try again later."
BANK_BROKEN = "The list of questions could not be loaded. Please tell the people who run this service."
UNEXPECTED = "Sorry, something went wrong on our side. Your answers so far are safe. Please try again."

# Save for later, resume and delete (bot/web/documents.py).
SAVE_NOT_OBJECT = 'The request body must be a JSON object, like {"pin": "4821"}.'
RESUME_NOT_OBJECT = (
    'The request body must be a JSON object, like {"code": "KX7M-4PQR", "pin": "4821", "sender_id": "a1b2"}.'
)
DELETE_NOT_OBJECT = 'The request body must be a JSON object, like {"pin": "4821"}.'
PIN_NOT_TEXT = 'Please give the PIN as text in quotes, like "pin": "4821".'
CODE_NOT_TEXT = "Please give the code you were given, like KX7M-4PQR."
CODE_OR_PIN_WRONG = "Sorry, that code and PIN do not match anything saved. Please check them and try again."
SAVED_UNREADABLE = (
    "Sorry, the saved answers for this code cannot be read. Nothing has been changed. "
    "Please start again, or ask the people who run this service for help."
)
