package org.hopwire.app;

import java.lang.management.ManagementFactory;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.image.Image;
import javafx.stage.Screen;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;

import org.hopwire.app.cli.CommandServer;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.app.core.Settings;
import org.hopwire.app.core.SettingsStore;
import org.hopwire.app.desktop.DesktopNotifications;
import org.hopwire.app.desktop.QuestionNotifier;
import org.hopwire.app.ui.background.BackgroundDialog;
import org.hopwire.app.ui.fabric.FabricViewModel;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.main.FailureView;
import org.hopwire.app.ui.main.MainWindow;
import org.hopwire.app.ui.theme.Theme;
import org.hopwire.app.ui.theme.ThemeFollower;
import org.hopwire.app.ui.settings.SettingsDialog;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.gst.GStreamerUnavailableException;

/** The Hopwire window: this host's devices, the peers on the cable, lending, borrowing and the live link. */
public class HopwireApp extends Application {
    /** One application id everywhere: desktop entry, icon, window class. */
    public static final String APP_ID = "org.hopwire.Hopwire";
    /**
     * Set (to anything) to have the app print {@code first-window-ms=N} (milliseconds since the JVM started) once
     * its window has been drawn, for the launch benchmark; {@code exit} also quits right after.
     */
    static final String BENCH_PROPERTY = "hopwire.bench.firstWindow";

    private final Questions questions;
    private LaunchOptions options;
    private SettingsStore settings;
    private volatile boolean stopped;
    private Services services;
    /** Serves 'hopwire' commands (and a second launch's "show the window") while this window's services run. */
    private volatile AutoCloseable commands;
    private boolean ownsServices;
    private String failure;
    private FailureView failureView;
    private Dialog<ButtonType> closeQuestion;
    private MainViewModel model;
    private FabricViewModel fabricModel;
    private MainWindow window;
    // Closing while something is lent or borrowed (see onCloseRequest): the window can go to the background.
    private Stage stage;
    private volatile boolean windowActive = true;
    private volatile boolean inBackground;
    private boolean implicitExitTurnedOff;
    private DesktopNotifications notifications;
    private QuestionNotifier questionNotifier;
    private DesktopNotifications.Shown backgroundNotice;
    private Runnable onQuit = Platform::exit;
    private ThemeFollower theme;
    /** How long a question's notification waits; the window's dialog stays open after it. */
    private static final java.time.Duration NOTIFICATION_TIMEOUT = java.time.Duration.ofMinutes(2);

    /** Opens what the command line and the settings name, in {@link #init()}, off the UI thread. */
    public HopwireApp() {
        this.questions = new Questions();
    }

    /** Shows services the caller opened (tests, embedding); the caller closes them. */
    public HopwireApp(Services services, Questions questions) {
        this.services = services;
        this.questions = questions;
    }

    @Override
    public void init() {
        if (services != null) {
            return;
        }
        try {
            options = LaunchOptions.parse(getParameters().getRaw());
            settings = new SettingsStore(options.configDirectory());
        } catch (IllegalArgumentException e) {
            failure = e.getMessage();
        }
    }

    @Override
    public void start(Stage stage) {
        warmUpInBackground();
        // Two windows on one machine, one per emulated host, must say which host each is.
        stage.setTitle(options != null && options.root().isPresent() ? Text.tr("window.title.host",
                options.hostName()) : Text.tr("window.title"));
        // The window's own icon, for docks and window lists (PNGs rendered from icons/ by packaging/render-icons).
        // Its class (WM_CLASS) is this class's name, which JavaFX sets; the desktop entry's StartupWMClass names it.
        for (int size : new int[] {16, 32, 48, 64, 128, 256}) {
            stage.getIcons().add(new Image(HopwireApp.class.getResource("icons/" + APP_ID + "-" + size + ".png")
                    .toExternalForm()));
        }
        SettingsStore chosen = services != null ? services.settings() : settings;
        if (chosen != null) {
            // Light or dark as chosen in Settings, else as the desktop prefers; an embedder (a test) that opened
            // the services itself does not read the desktop's preference: only the choice in its settings counts.
            theme = ThemeFollower.start(chosen, services != null
                    ? new org.hopwire.app.desktop.ColorScheme(java.util.Optional.empty(), false)
                    : org.hopwire.app.desktop.ColorScheme.forSession(), Platform::runLater);
        }
        if (services != null) {
            showMain(stage);
            return;
        }
        if (settings == null) {
            showFailure(stage, false);
            return;
        }
        // The window comes first; the fabric, GStreamer and the sessions start behind it (about a second).
        Label starting = new Label(Text.tr("window.starting"));
        starting.setId("starting");
        starting.setPadding(new Insets(24));
        Scene first = new Scene(starting, WindowPlace.DEFAULT_WIDTH, WindowPlace.DEFAULT_HEIGHT);
        Theme.apply(first);
        stage.setScene(first);
        keepUsableSize(stage);
        placeWindow(stage, settings.get());
        stage.show();
        holdSizeWhileMapping(stage);
        reportFirstWindow("first-window");
        open(stage, options.fabric());
    }

    /**
     * Does, off the UI thread while the window and the services open, the first-time work the window would otherwise
     * do on it at a bad moment (issue 14, the first borrow): every icon's lookup, every sentence's format (with the
     * locale's number formats), and the locale's text breakers.
     */
    private static void warmUpInBackground() {
        Thread t = new Thread(() -> {
            org.hopwire.app.ui.Icons.resolveAll();
            java.util.Locale locale = java.util.Locale.getDefault();
            org.hopwire.app.text.Text.prepare(locale);
            // What a label's skin asks for when it cuts a text short.
            java.text.BreakIterator.getCharacterInstance(locale).setText("warm-up");
            java.text.BreakIterator.getWordInstance(locale).setText("warm-up");
            java.text.BreakIterator.getLineInstance(locale).setText("warm-up");
        }, "hopwire-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /**
     * Opens the services on {@code fabric} (the settings' choice when empty) off the UI thread, then shows them; a
     * failure shows what is missing, with the emulated fabric offered when USB4 hardware is what is missing.
     */
    private void open(Stage stage, java.util.Optional<Fabrics.Choice> fabric) {
        Thread opener = new Thread(() -> {
            try {
                Services s = Services.open(settings, fabric, options.root(), options.hostName(), questions);
                try {
                    commands = CommandServer.start(s, questions, java.util.Optional.of(this::showAgain));
                } catch (java.io.IOException e) {
                    // Main asked first, so this is a race with another start: the window works, its commands not.
                    System.err.println("hopwire: the command line cannot reach this window: " + e.getMessage());
                }
                Platform.runLater(() -> {
                    services = s;
                    ownsServices = true;
                    if (stopped) {
                        closeInBackground();
                        return;
                    }
                    showMain(stage);
                    reportFirstWindow("ready");
                });
            } catch (FabricException e) {
                failure = e.getMessage();
                // The kernel fabric on this machine is what failed (not a --root folder's): the demo can run.
                boolean kernelMissing = options.root().isEmpty();
                Platform.runLater(() -> failed(stage, kernelMissing));
            } catch (GStreamerUnavailableException | RuntimeException e) {
                failure = e.getMessage();
                Platform.runLater(() -> failed(stage, false));
            }
        }, "hopwire-start");
        opener.setDaemon(true);
        opener.start();
    }

    private void failed(Stage stage, boolean kernelMissing) {
        if (failureView != null) {
            failureView.failedAgain(Text.tr("failure.emulated.failed", failure));
        } else {
            showFailure(stage, kernelMissing);
        }
    }

    /**
     * The window says why Hopwire could not start and keeps its menus (Settings, Quit, Help); when USB4 hardware
     * is missing it offers to start the emulated fabric here, which replaces this screen with the main window.
     */
    private void showFailure(Stage stage, boolean kernelMissing) {
        boolean fromSettings = options != null && options.fabric().isEmpty();
        FailureView view = new FailureView(failure, kernelMissing, fromSettings, stage, new FailureView.Actions() {
            @Override
            public java.util.Optional<Runnable> settings() {
                return settings == null ? java.util.Optional.empty() : java.util.Optional.of(
                        () -> SettingsDialog.show(settings, java.util.Optional.empty(), stage, Platform::runLater));
            }

            @Override
            public void quit() {
                HopwireApp.this.quit();
            }

            @Override
            public void useEmulated(boolean remember) {
                if (remember) {
                    settings.update(s -> s.withFabric(Fabrics.Choice.EMULATED));
                }
                open(stage, java.util.Optional.of(Fabrics.Choice.EMULATED));
            }
        }, () -> failure);
        failureView = view;
        this.stage = stage;
        Scene scene = new Scene(view.root(), stage.isShowing() ? stage.getWidth() : 760,
                stage.isShowing() ? stage.getHeight() : 420);
        Theme.apply(scene);
        boolean wasShowing = stage.isShowing();
        double w = stage.getWidth();
        double h = stage.getHeight();
        stage.setScene(scene);
        if (wasShowing) {
            stage.setWidth(w);
            stage.setHeight(h);
        }
        stage.show();
        view.focus();
    }

    private void showMain(Stage stage) {
        failureView = null;
        model = new MainViewModel(services, questions, Platform::runLater);
        fabricModel = new FabricViewModel(services.fabric(), Platform::runLater);
        window = new MainWindow(model, fabricModel, stage, Platform::runLater);
        boolean wasShowing = stage.isShowing();
        double w = stage.getWidth();
        double h = stage.getHeight();
        stage.setScene(window.scene());
        if (wasShowing) {
            stage.setWidth(w);
            stage.setHeight(h);
        } else {
            placeWindow(stage, services.settings().get());
        }
        stage.setOnHidden(e -> rememberWindow(stage));
        watchClosing(stage);
        keepUsableSize(stage);
        stage.show();
        if (!wasShowing) {
            // Shown here first (an embedder's window, not the launch's "Starting" one): openbox would map it at its
            // minimum size as it did the launch's window.
            holdSizeWhileMapping(stage);
        }
    }

    // ---- closing into the background and coming back ----------------------------------------------------------

    /**
     * Closing asks whether to keep running when something is lent or borrowed; questions raise desktop
     * notifications while the window is not focused or hidden (answering either place answers both).
     */
    private void watchClosing(Stage stage) {
        this.stage = stage;
        stage.setOnCloseRequest(this::onCloseRequest);
        Runnable active = () -> windowActive = stage.isShowing() && stage.isFocused();
        stage.focusedProperty().addListener((o, was, is) -> active.run());
        stage.showingProperty().addListener((o, was, is) -> active.run());
        active.run();
        if (questionNotifier == null) {
            // Cheap: the bus is first contacted on the notifications' own thread, at the first question. An
            // embedder (a test) that opened the services itself gets none unless it gave some: a test run on a
            // developer's desktop must not raise notifications there.
            if (notifications == null) {
                notifications = ownsServices ? DesktopNotifications.forSession()
                        : new DesktopNotifications(java.util.Optional.empty());
            }
            questionNotifier = new QuestionNotifier(notifications, NOTIFICATION_TIMEOUT,
                    java.util.Optional.of(this::showAgain));
            questions.onQuestion(q -> {
                if (!windowActive) {
                    questionNotifier.notify(q, (x, why) -> { });
                }
            });
        }
    }

    private void onCloseRequest(WindowEvent e) {
        if (services == null) {
            return;
        }
        if (!BackgroundDialog.needed(services.hub().snapshot())) {
            if (implicitExitTurnedOff) {
                // The window was in the background once: closing it now means quitting.
                e.consume();
                quit();
            }
            return;
        }
        e.consume();
        if (closeQuestion != null && closeQuestion.isShowing()) {
            // The question is not modal: closing again brings it back to the front rather than asking twice.
            closeQuestion.getDialogPane().getScene().getWindow().requestFocus();
            return;
        }
        closeQuestion = BackgroundDialog.ask(stage, services.hub().snapshot(), choice -> {
            switch (choice) {
                case KEEP_RUNNING -> toBackground();
                case QUIT -> quit();
                case CANCEL -> {
                }
            }
        });
    }

    /** Hides the window; the process, its sessions and its lends go on, and questions come as notifications. */
    private void toBackground() {
        Platform.setImplicitExit(false);
        implicitExitTurnedOff = true;
        inBackground = true;
        windowActive = false;
        stage.hide();
        questions.open().forEach(q -> questionNotifier.notify(q, (x, why) -> { }));
        notifications.show(Text.tr("background.notification.title"),
                BackgroundDialog.running(services.hub().snapshot()),
                java.util.List.of(new DesktopNotifications.Action(DesktopNotifications.DEFAULT_ACTION,
                        Text.tr("background.notification.open")), new DesktopNotifications.Action("quit",
                        Text.tr("background.notification.quit"))),
                java.time.Duration.ofHours(1), false, new DesktopNotifications.Handler() {
                    @Override
                    public void action(String key) {
                        if (key.equals("quit")) {
                            Platform.runLater(HopwireApp.this::quit);
                        } else {
                            showAgain();
                        }
                    }

                    @Override
                    public void closed(DesktopNotifications.Closed why) {
                    }
                }).thenAccept(n -> Platform.runLater(() -> {
                    if (inBackground) {
                        backgroundNotice = n.orElse(null);
                    } else {
                        n.ifPresent(DesktopNotifications.Shown::withdraw);
                    }
                }));
    }

    /** Ends everything: the window goes and the app quits (sessions end, streams are removed in stop()). */
    private void quit() {
        inBackground = false;
        if (stage != null) {
            stage.hide();
        }
        onQuit.run();
    }

    /**
     * Brings the window back (from the background, or to the front); any thread. A second {@code hopwire} launch
     * reaches the running instance and calls this.
     */
    public void showAgain() {
        Platform.runLater(() -> {
            if (stage == null) {
                return;
            }
            inBackground = false;
            if (backgroundNotice != null) {
                backgroundNotice.withdraw();
                backgroundNotice = null;
            }
            stage.setIconified(false);
            stage.show();
            stage.toFront();
            stage.requestFocus();
        });
    }

    /** Whether the window is hidden while the app goes on (tests). */
    public boolean inBackground() {
        return inBackground;
    }

    /** Notifications to use instead of the session's (tests); before the window is shown. */
    public void useNotifications(DesktopNotifications n) {
        this.notifications = n;
        this.questionNotifier = null;
    }

    /** What Quit does; {@link Platform#exit()} unless the embedder (a test) owns the toolkit. */
    public void onQuit(Runnable quit) {
        this.onQuit = quit;
    }

    /**
     * A floor under the window's size, which GTK hands the window manager as a hint: without one, openbox and some
     * others mapped the window at 200x200 and the app then kept that size. Smaller screens get their own size.
     */
    static void keepUsableSize(Stage stage) {
        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        stage.setMinWidth(Math.min(Settings.Window.MIN_WIDTH, screen.getWidth()));
        stage.setMinHeight(Math.min(Settings.Window.MIN_HEIGHT, screen.getHeight()));
    }

    /**
     * Asks again for the size the window was shown with if the window manager shrank it while mapping it (openbox
     * maps a JavaFX window at its minimum size, whatever size it asked for); only in its first second, so a person
     * who resizes it later is never overruled.
     */
    static void holdSizeWhileMapping(Stage stage) {
        org.hopwire.app.ui.WindowMapping.holdSize(stage);
    }

    /** Puts the window where it was, checked against today's screens (see {@link WindowPlace}). */
    private void placeWindow(Stage stage, Settings saved) {
        WindowPlace p = WindowPlace.of(saved.window(), Screen.getPrimary().getVisualBounds(),
                Screen.getScreens().stream().map(Screen::getVisualBounds).toList());
        stage.setX(p.x());
        stage.setY(p.y());
        stage.setWidth(p.width());
        stage.setHeight(p.height());
        stage.setMaximized(p.maximized());
        normalBounds = new Rectangle2D(p.x(), p.y(), p.width(), p.height());
        followNormalBounds(stage);
    }

    /** The window's size and place while not maximized, which is what is saved (a maximized size is no size). */
    private Rectangle2D normalBounds;
    private boolean followingBounds;

    private void followNormalBounds(Stage stage) {
        if (followingBounds) {
            return;
        }
        followingBounds = true;
        javafx.beans.InvalidationListener moved = o -> {
            if (!stage.isMaximized() && !stage.isIconified() && stage.isShowing()) {
                normalBounds = new Rectangle2D(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight());
            }
        };
        stage.xProperty().addListener(moved);
        stage.yProperty().addListener(moved);
        stage.widthProperty().addListener(moved);
        stage.heightProperty().addListener(moved);
    }

    private void rememberWindow(Stage stage) {
        Rectangle2D b = stage.isMaximized() && normalBounds != null ? normalBounds
                : new Rectangle2D(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight());
        Settings.Window w = new Settings.Window(b.getMinX(), b.getMinY(), b.getWidth(), b.getHeight(),
                stage.isMaximized());
        SettingsStore store = services != null ? services.settings() : settings;
        if (w.usable() && store != null) {
            store.update(s -> s.withWindow(w));
        }
    }

    /** For the launch benchmark: prints when the window (then its content) has been drawn. */
    private static void reportFirstWindow(String what) {
        String bench = System.getProperty(BENCH_PROPERTY);
        if (bench == null) {
            return;
        }
        // The pulse after show() has drawn the window: report then, not when show() returns.
        Platform.runLater(() -> Platform.runLater(() -> {
            long ms = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.out.println(what + "-ms=" + ms + " " + what + "-epoch-ms=" + System.currentTimeMillis());
            System.out.flush();
            if (bench.equals("exit") && what.equals("ready")) {
                Platform.exit();
            }
        }));
    }

    /** The window's model, once shown (tests, the benchmark). */
    public MainViewModel model() {
        return model;
    }

    /** The window, once shown (tests). */
    public MainWindow window() {
        return window;
    }

    @Override
    public void stop() {
        stopped = true;
        if (theme != null) {
            theme.close();
        }
        if (window != null) {
            window.close();
        }
        closeInBackground();
    }

    private void closeInBackground() {
        MainViewModel m = model;
        FabricViewModel f = fabricModel;
        DesktopNotifications n = notifications;
        Services s = ownsServices ? services : null;
        SettingsStore st = s == null ? settings : null;
        AutoCloseable c = commands;
        commands = null;
        // Ending sessions says goodbye and removes the streams from ConfigFS: not on the UI thread. The thread is
        // not a daemon, so the JVM waits for it after the window has gone.
        Thread closer = new Thread(() -> {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // the socket is going anyway
                }
            }
            if (n != null) {
                n.close();
            }
            if (m != null) {
                m.close();
            }
            if (f != null) {
                f.close();
            }
            if (s != null) {
                s.close();
            }
            if (st != null) {
                st.close();
            }
        }, "hopwire-shutdown");
        closer.start();
    }
}
