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
PART_RESTARTING = "Sorry, part of Steer is starting again. Your answers so far are safe. Please try again in a moment."

# Said to whoever calls the API (people who build on Steer, and the web page).
NOT_JSON_TYPE = "Please send the request as JSON, with the header Content-Type: application/json."
BAD_JSON = "The request body is not valid JSON. Please check its brackets, quotes and commas."
CHAT_NOT_OBJECT = 'The request body must be a JSON object, like {"message": "hello"}.'
SENDER_ID = (
    'Please give the sender_id Steer sent you when the conversation started, or leave it out to start one.'
)
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
SCORER_NOT_READY = "I cannot work out the money just now. Please try again later."
BANK_BROKEN = "I cannot open the list of questions. Please tell the people who run this service."
UNEXPECTED = "Sorry, something went wrong on our side. Your answers so far are safe. Please try again."

# Limits on every door (bot/web/limits.py): never blaming, always when to try again.
RATE_LIMITED = ("Sorry, I have had a lot of messages from here in a short time. Your answers so far are safe. "
                "Please try again in {wait}.")
RATE_LIMITED_SAVED = ("Sorry, I have had a lot of tries from here in a short time. Your saved answers are safe. "
                      "Please try again in {wait}.")
RATE_LIMITED_SPEECH = ("Sorry, I cannot speak any more just now. The words are on the screen. "
                       "Please try again in {wait}.")
SPEECH_BUSY = "Sorry, I am busy speaking for other people. The words are on the screen. Please try again in {wait}."
TOO_MUCH_TO_SAY = "That is more than I can say at once. Please send fewer words."
CONVERSATION_FULL = (
    "This chat is very long, so I cannot take more messages in it. Your answers so far are safe. "
    "Please save them for later. Then open Steer again and carry on with your code."
)
WAIT_SECOND = "1 second"
WAIT_SECONDS = "{n} seconds"
WAIT_MINUTE = "1 minute"
WAIT_MINUTES = "{n} minutes"

# Save for later, resume and delete (bot/web/saved_answers.py).
SAVE_NOT_OBJECT = 'The request body must be a JSON object, like {"pin": "4821"}.'
RESUME_NOT_OBJECT = (
    'The request body must be a JSON object, like {"code": "KX7M-4PQR", "pin": "4821", "sender_id": "a1b2"}.'
)
DELETE_NOT_OBJECT = 'The request body must be a JSON object, like {"pin": "4821"}.'
PIN_NOT_TEXT = 'Please give the PIN as text in quotes, like "pin": "4821".'
CODE_NOT_TEXT = "Please type the code you got when you saved, like KX7M-4PQR."
# The same words for an unknown code, a wrong PIN and a code resting after too many tries (store/saved.py).
CODE_OR_PIN_WRONG = (
    "Sorry, that code or PIN is not right. Or the code is resting after too many tries. "
    "A PIN is the secret number you chose. Please check both, or try again later."
)
SAVED_BUSY = "Sorry, I am busy just now. Please try again in a moment. Your answers are safe."
SAVED_UNREADABLE = (
    "Sorry, I cannot read the saved answers for this code. I have not changed anything. "
    "Please start again, or ask the people who run this service for help."
)

# Refused requests and clearing a conversation (bot/web/csrf.py, DELETE /api/assessments/<sender_id>).
UNKNOWN_HOST = ("Steer does not answer on this address. Please use the address Steer printed when it "
                "started, such as http://127.0.0.1:8000.")
CSRF_OTHER_SITE = "This request came from another website, so Steer refused it. Please use Steer's own page."
CSRF_TOKEN = "This page is out of date. Please load the page again. Your answers so far are safe."
CANNOT_DELETE = "Sorry, I could not clear the answers just now. Please ask a worker for help."
# Conversations the front door issues (bot/web/conversations.py): one answer whatever the reason.
UNKNOWN_CONVERSATION = (
    "I cannot find that chat on this device. Someone may have cleared it. "
    "Please send your message again to start a new chat."
)
LINK_RUN_OUT = "This link has run out, to keep your answers private. Please go back to the chat and open it again."
CONVERSATION_CLEARED = (
    "Steer has cleared these answers, so this chat has ended. To start again, open Steer in a new tab."
)

# The chat page and the kiosk (bot/web/templates/, shown and read out by static/chat.js and kiosk.js).
PAGE_HEADING = "Questions about the help you need"
PAGE_INTRO = "Answer some questions about your life and the help you need."
PAGE_INTRO_MONEY = "Then you will see how much money you might get."
PAGE_INTRO_BREAK = "You can take a break at any time."
NEEDS_JAVASCRIPT = "This page needs JavaScript to talk with Steer. Please turn JavaScript on, or ask a worker for help."
SKIP_LINK = "Skip to main content"
DISPLAY_HEADING = "Change how the page looks"
TEXT_SIZE = "Text size"
TEXT_SIZE_NORMAL = "Normal"
TEXT_SIZE_LARGE = "Large"
TEXT_SIZE_LARGER = "Very large"
HIGH_CONTRAST = "High contrast"
USE_EASY_READ = "Use easy read"
USE_PLAIN_WORDS = "Use plain words"
CONVERSATION_HEADING = "Messages"
YOU_SAID = "You:"
STEER_SAID = "Steer:"
OPTIONS_LABEL = "Answers you can choose"
WORDS_LABEL = "Words you can ask about"
WHAT_DOES_IT_MEAN = "What does {term} mean?"
TYPE_ANSWER = "Type your answer"
SEND = "Send"
COMMANDS_LABEL = "Other things you can do"
PROGRESS = "Question {n} of {total}"
PROGRESS_DONE = "All {total} questions answered"
NETWORK_ERROR = "Sorry, I cannot reach Steer just now. Your answers so far are safe. Please try again in a minute."
WAITING = "Steer is writing."

# The kiosk: one shared screen at a drop-in session (bot/web/templates/kiosk.html, static/kiosk.js).
KIOSK_HEADING = "Welcome to Steer"
KIOSK_INTRO = "Steer asks about your life and the help you need."
KIOSK_MONEY = "Then it tells you how much money you might get."
KIOSK_SHARED = "Other people use this screen too."
KIOSK_FINISH_HINT = "When you finish, press Finish and clear. Then nobody else can see your answers."
KIOSK_SAVE_HINT = "To carry on another day, type save. You will get a code to write down."
KIOSK_START = "Start"
KIOSK_CLEARED = "The screen is clear. It keeps nothing from before."
FINISH_AND_CLEAR = "Finish and clear"
PRINT_SUMMARY = "Print my answers"
CLEARING = "Clearing the screen."
IDLE_HEADING = "Are you still there?"
IDLE_TEXT = "The screen will clear soon. This keeps your answers private."
IDLE_COUNTDOWN = "It will clear in {n} seconds."
MORE_TIME = "I need more time"
CLEAR_NOW = "Finish and clear now"

# Save for later, come back and delete, on the page (templates/saved_controls.html, static/saved.js).
SAVED_LABEL = "Saved answers"
RESUME_SAVED = "Carry on with saved answers"
DELETE_SAVED = "Delete saved answers"
SAVE_HEADING = "Save for later"
PIN_CHOOSE = "Choose a PIN of 4 to 8 numbers. A PIN is a secret number."
PIN_LABEL = "Your PIN (your secret number)"
CODE_LABEL = "Your code"
CODE_LABEL_EXAMPLE = "Your code, like KX7M-4PQR"
SAVE_BUTTON = "Save my answers"
CONTINUE = "Carry on"
DELETE_NOW = "Delete them now"
CANCEL = "Cancel"
SAVED_CODE = "I have saved your answers. Your code is:"
SAVED_WRITE_DOWN = "Write the code down. You need the code and your PIN (your secret number) to come back."
SAVED_KEPT = "Steer keeps your answers for {days} days."
SAVED_DELETED = "I have removed your saved answers."
SAVED_FAILED = "Sorry, that did not work. Please try again."
RESUME_REPLACES = (
    "You have {count} answers here already. Your saved answers will take their place. "
    "You cannot get these answers back."
)
REPLACE_THEM = "Yes, use my saved answers"
SUMMARY_HEADING = "Your summary"
SUMMARY_PAGE = "See and print your summary"
SUMMARY_PDF = "Download it as a PDF file"
SUMMARY_DATA = "Download the data for the council"

# Speaking and listening on the page (templates/voice_controls.html, static/voice.js).
VOICE_HEADING = "Speak your answers"
PRESS_TO_SPEAK = "Press to speak"
LISTENING_BUTTON = "Listening. Press again when you finish."
LISTENING = "Listening."
THINKING = "Thinking."
VOICE_HELP = "Press the button or the space bar. Then say your answer."
VOICE_HELP_REPLY = "I will say what I heard. Then I will say the next question."
VOICE_HELP_COMMANDS = 'You can say "repeat", "slower", "faster", "go back" or "what does that mean".'
NO_MICROPHONE = "I cannot use a microphone in this browser. Please type your answer."
MICROPHONE_BLOCKED = "I cannot use the microphone. Please allow it in the browser, or type your answer."

# Error pages (templates/error.html, bot/web/errors.py).
ERROR_NOT_FOUND_TITLE = "Page not found"
ERROR_TITLE = "Sorry, there is a problem"
GO_TO_START = "Go to the start"

# Pictures (bot/web/static/symbols/): what each one shows, as its alt text.
SYMBOL_LOOKING_AFTER_MYSELF = "Picture of a bowl of hot food and a spoon"
SYMBOL_RELATIONSHIPS = "Picture of 2 people and a heart"
SYMBOL_COMMUNITY = "Picture of a bus"
SYMBOL_WORK_LEARNING_LEISURE = "Picture of a work bag and a ball"
SYMBOL_MAKING_DECISIONS = "Picture of a signpost pointing 2 ways"
SYMBOL_STAYING_SAFE = "Picture of a shield with a tick"
SYMBOL_COMPLEX_NEEDS_RISK = "Picture of a first aid box"
SYMBOL_FAMILY_CARER_SUPPORT = "Picture of a home with a heart in it"
SYMBOL_AMOUNT_NONE = "Picture of an empty circle. None."
SYMBOL_AMOUNT_LITTLE = "Picture of a circle with a small part filled in. A little."
SYMBOL_AMOUNT_MOST = "Picture of a circle with a big part filled in. Most."
SYMBOL_AMOUNT_ALL = "Picture of a circle, all filled in. All."
SYMBOL_YES = "Picture of a tick. Yes."
SYMBOL_NO = "Picture of a cross. No."
SYMBOL_ME = "Picture of 1 person"
SYMBOL_SOMEONE_ELSE = "Picture of a person helping another person"
SYMBOL_PLAIN_WORDS = "Picture of a page of writing"
SYMBOL_EASY_READ = "Picture of a page with a picture and big words"
SYMBOL_CHECK = "Picture of a tick in a box"
SYMBOL_CHANGE = "Picture of a pencil"
SYMBOL_QUESTION = "Picture of a question mark"
